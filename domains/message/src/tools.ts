import type { ToolDef } from "@envtune/core/domain";
import {
  PyDict,
  PyException,
  PySet,
  pyAttributeError,
  pyContains,
  pyEquals,
  pyLower,
  pyStr,
  pyTypeName,
  requireStr,
  type PyValue,
} from "@envtune/core/py";
import { defineTool } from "@envtune/core/domain";
import { firstItem, pyInValues, pyPlusOne, pyTruthy, pyZfill } from "./py.ts";
import type { MessageAPI } from "./state.ts";

type Tool = ToolDef<MessageAPI>;
/** Each tool's `run` gets its arguments typed from its own parameter list. */
const tool = defineTool<MessageAPI>();

const err = (text: string): PyDict => PyDict.from({ error: text });

/**
 * `_generate_id`: `randint(10000, 99999)` redrawn while already used, remembered, and returned
 * wrapped in a dict (so `message_id` in send_message's result is `{"new_id": n}`).
 */
function generateId(self: MessageAPI): PyDict {
  const ids = self.generated_ids;
  const used = (n: bigint): boolean => {
    if (ids instanceof PySet) return ids.has(n);
    if (Array.isArray(ids)) return pyContains(ids, n);
    if (ids instanceof PyDict) return ids.has(n);
    throw new PyException("TypeError", `argument of type '${pyTypeName(ids)}' is not iterable`);
  };
  let id = self._random.randint(10000n, 99999n);
  while (used(id)) id = self._random.randint(10000n, 99999n);
  if (!(ids instanceof PySet)) return pyAttributeError(ids, "add");
  ids.add(id);
  return PyDict.from({ new_id: id });
}

const listUsers = tool({
  name: "list_users",
  params: [],
  run(self) {
    return PyDict.from({ user_list: [...self.user_map.keys()] });
  },
});

const getUserId = tool({
  name: "get_user_id",
  params: [{ name: "user" }],
  run(self, { user }, ctx) {
    const u = user;
    // dict membership hashes: an unhashable name raises `unhashable type: ...` like CPython.
    if (!self.user_map.has(u)) return err(ctx.msg("user_not_found", { user: pyStr(u) }));
    return PyDict.from({ user_id: self.user_map.get(u) ?? null });
  },
});

const messageLogin = tool({
  name: "message_login",
  params: [{ name: "user_id" }],
  run(self, { user_id }, ctx) {
    const id = user_id;
    if (!pyInValues(self.user_map.values(), id)) {
      return PyDict.from({ login_status: false, message: ctx.msg("login_user_id_not_found", { user_id: pyStr(id) }) });
    }
    self.current_user = id;
    return PyDict.from({ login_status: true, message: `User '${pyStr(id)}' logged in successfully.` });
  },
});

const messageGetLoginStatus = tool({
  name: "message_get_login_status",
  params: [],
  run(self) {
    return PyDict.from({ login_status: pyTruthy(self.current_user) });
  },
});

const sendMessage = tool({
  name: "send_message",
  params: [{ name: "receiver_id" }, { name: "message" }],
  run(self, { receiver_id, message }, ctx) {
    if (!pyTruthy(self.current_user)) return err(ctx.msg("not_logged_in"));
    const r = receiver_id;
    if (!pyInValues(self.user_map.values(), r)) {
      return err(ctx.msg("receiver_not_found", { receiver_id: pyStr(r) }));
    }
    const messageId = generateId(self);
    self.inbox.push(new PyDict([[r, message]]));
    self.message_count = pyPlusOne(self.message_count);
    return PyDict.from({
      sent_status: true,
      message_id: messageId,
      message: `Message sent to '${pyStr(r)}' successfully.`,
    });
  },
});

const deleteMessage = tool({
  name: "delete_message",
  params: [{ name: "receiver_id" }],
  run(self, { receiver_id }, ctx) {
    if (!pyTruthy(self.current_user)) return err(ctx.msg("not_logged_in"));
    const r = receiver_id;
    const inbox = self.inbox;
    for (let i = inbox.length - 1; i >= 0; i--) {
      const item = inbox[i] as PyValue;
      const [receiver] = firstItem(item);
      if (pyEquals(receiver, r)) {
        // `inbox.remove(item)` drops the first *equal* item, which may be an earlier duplicate.
        const at = inbox.findIndex((x) => x === item || pyEquals(x, item));
        inbox.splice(at, 1);
        return PyDict.from({
          deleted_status: true,
          receiver_id: receiver,
          message: `Receiver ${pyStr(r)}'s latest message deleted successfully.`,
        });
      }
    }
    return err(ctx.msg("delete_receiver_not_found", { receiver_id: pyStr(r) }));
  },
});

const viewMessagesSent = tool({
  name: "view_messages_sent",
  params: [],
  run(self, _args, ctx) {
    if (!pyTruthy(self.current_user)) return err(ctx.msg("not_logged_in"));
    // Groups every inbox item by receiver: the reference does not filter by sender.
    const sent = new PyDict();
    for (const item of self.inbox) {
      const [receiver, content] = firstItem(item);
      const list = sent.get(receiver) as PyValue[] | undefined;
      if (list === undefined) sent.set(receiver, [content]);
      else list.push(content);
    }
    return PyDict.from({ messages: sent });
  },
});

const addContact = tool({
  name: "add_contact",
  params: [{ name: "user_name" }],
  run(self, { user_name }, ctx) {
    const name = user_name;
    if (self.user_map.has(name)) return err(ctx.msg("user_name_exists", { user_name: pyStr(name) }));
    // The count grows before the collision check and stays grown when it fails.
    self.user_count = pyPlusOne(self.user_count);
    const userId = "USR" + pyZfill(pyStr(self.user_count), 3);
    if (pyInValues(self.user_map.values(), userId)) return err(ctx.msg("user_id_exists", { user_id: userId }));
    self.user_map.set(name, userId);
    return PyDict.from({
      added_status: true,
      user_id: userId,
      message: `Contact '${pyStr(name)}' added successfully.`,
    });
  },
});

const searchMessages = tool({
  name: "search_messages",
  params: [{ name: "keyword" }],
  run(self, { keyword }, ctx) {
    if (!pyTruthy(self.current_user)) return err(ctx.msg("not_logged_in"));
    const kw = pyLower(requireStr(keyword, "lower"));
    const results: PyValue[] = [];
    for (const item of self.inbox) {
      const [receiver, content] = firstItem(item);
      // Dataset inboxes mostly hold lists, so this raises `'list' object has no attribute 'lower'`.
      if (pyLower(requireStr(content, "lower")).includes(kw)) {
        results.push(PyDict.from({ receiver_id: receiver, message: content }));
      }
    }
    return PyDict.from({ results });
  },
});

const getMessageStats = tool({
  name: "get_message_stats",
  params: [],
  run(self, _args, ctx) {
    if (!pyTruthy(self.current_user)) return err(ctx.msg("not_logged_in"));
    let received = 0n;
    const contacts = new PySet();
    for (const item of self.inbox) {
      const [receiver] = firstItem(item);
      received += 1n;
      contacts.add(receiver);
    }
    return PyDict.from({
      stats: PyDict.from({ received_count: received, total_contacts: BigInt(contacts.size) }),
    });
  },
});

/** The 10 documented tools, in the function doc's order. */
export const tools: Tool[] = [
  addContact,
  deleteMessage,
  getMessageStats,
  getUserId,
  listUsers,
  messageGetLoginStatus,
  messageLogin,
  searchMessages,
  sendMessage,
  viewMessagesSent,
];
