/**
 * Progress on stderr: a bar per stage that redraws in place on a terminal and prints a line per
 * validation otherwise (CI logs stay readable).
 */
export interface ProgressSink {
  /** Redraws the stage bar. */
  bar(stage: string, done: number, max: number, stats: string): void;
  /** Prints a full line (events, summaries). */
  line(text: string): void;
  /** Ends the current bar line. */
  end(): void;
}

export function stderrProgress(
  write: (s: string) => void = (s) => void process.stderr.write(s),
  tty = process.stderr.isTTY === true,
): ProgressSink {
  let open = false;
  let lastPrinted = -1;
  return {
    bar(stage, done, max, stats) {
      const width = 24;
      const frac = max > 0 ? Math.min(1, done / max) : 0;
      const filled = Math.round(frac * width);
      const text = `${stage} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${max} ${stats}`;
      if (tty) {
        write(`\r\x1b[2K${text}`);
        open = true;
      } else if (done === max || done - lastPrinted >= Math.max(1, Math.round(max / 10))) {
        write(text + "\n");
        lastPrinted = done;
      }
    },
    line(text) {
      if (open) write("\n");
      open = false;
      lastPrinted = -1;
      write(text + "\n");
    },
    end() {
      if (open) write("\n");
      open = false;
    },
  };
}

export const silentProgress: ProgressSink = { bar() {}, line() {}, end() {} };
