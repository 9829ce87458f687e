/**
 * @envtune/server — envtune's environments over the network: native session REST, OpenEnv-compatible
 * `/health /schema /metadata /reset /step /state /openapi.json /ws`, MCP (Streamable HTTP, WebSocket,
 * stdio), an episode runner and a reward service, all over one
 * Fetch-standard core with Node HTTP and WebSocket transports; a session router for N processes;
 * any single domain pack as an MCP tool server.
 */
export { createEnvtuneServer } from "./app.ts";
export type { EnvtuneServer, EnvtuneServerOptions } from "./app.ts";
export { BfclEnvironment, loadBfclEnvironment } from "./environment.ts";
export type { BfclEnvironmentOptions, EpisodeRequest, LoadEnvironmentOptions, SplitPart, TaskInfo, TaskQuery } from "./environment.ts";
export { PAPER_STAGES, mergeEpisodeConfig, parseStages, stageKeys, stageSpecSchema } from "./stages.ts";
export type { StageSpec, StageSpecInput } from "./stages.ts";
export { EnvtuneService, VERSION, actionSchema, createParamsSchema, observationSchema, stateSchema, stepParamsSchema } from "./service.ts";
export type { CreateParams, EnvSession, StepParams, Transport } from "./service.ts";
export { SERVER_ERROR_CODES, ServerError, toServerError } from "./errors.ts";
export type { ServerErrorCode } from "./errors.ts";
export { resolveServerOptions, serverOptionsSchema } from "./options.ts";
export type { ServerOptions, ServerOptionsInput } from "./options.ts";
export { SessionStore } from "./sessions.ts";
export type { EvictReason, Session, SessionStats, SessionStoreOptions } from "./sessions.ts";
export { createLogger } from "./log.ts";
export type { LogLevel, Logger, LoggerOptions } from "./log.ts";
export { checkBearer, createFetchHandler, json, readBody } from "./http.ts";
export type { FetchHandler, FetchHandlerOptions, JsonRoute } from "./http.ts";
export { envtuneWebSocket, serveFetch, WS_LIMIT_CLOSE } from "./node-http.ts";
export type { NodeServeOptions, RunningServer, UpgradeHandler } from "./node-http.ts";
export { checkJsonContentType, checkOriginAndHost, isLoopbackHost } from "./guard.ts";
export type { GuardPolicy } from "./guard.ts";
export { openWsConnection, resetObservation, stepObservation, WS_CLOSE } from "./openenv-ws.ts";
export type { WsConnection, WsPeer } from "./openenv-ws.ts";
export {
  END_TURN_TOOL,
  LIST_CHANGED,
  MCP_PROTOCOL_VERSION,
  MCP_PROTOCOL_VERSIONS,
  handleJsonRpc,
  mcpTool,
  negotiateProtocolVersion,
} from "./mcp.ts";
export { handleMcpHttp } from "./mcp-http.ts";
export { serveMcpStdio } from "./mcp-stdio.ts";
export type { McpStdioOptions } from "./mcp-stdio.ts";
export { openapiDocument } from "./openapi.ts";
export { resetRequestSchema, stepRequestSchema } from "./openenv-http.ts";
export type { RpcContext, RpcId, RpcResponse } from "./mcp.ts";
export { rolloutParamsSchema, rolloutsRoute, runRollouts } from "./rollouts.ts";
export type { RolloutParams } from "./rollouts.ts";
export { extractActions, rewardAnswer, rewardExtraLogs, rewardParamsSchema, rewardRoute } from "./reward.ts";
export type { RewardDetail } from "./reward.ts";
export { createDomainMcpServer } from "./domain-mcp.ts";
export type { DomainMcpOptions, DomainMcpServer } from "./domain-mcp.ts";
export { createSessionRouter, rendezvousOrder, routeSession } from "./router.ts";
export type { SessionRouter, SessionRouterOptions } from "./router.ts";
export { spawnWorkers, startCluster } from "./cluster.ts";
export type { SpawnWorkersOptions, WorkerSet } from "./cluster.ts";
export { exportVerlDataset, VERL_AGENT_NAME } from "./export-verl.ts";
export type { StageExportOptions, VerlExportOptions, VerlExportResult, StageFile } from "./export-verl.ts";
export { exportSkyrlDataset, SKYRL_ENV_CLASS } from "./export-skyrl.ts";
export type { SkyrlExportOptions, SkyrlExportResult } from "./export-skyrl.ts";
