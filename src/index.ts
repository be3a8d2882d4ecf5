/** The library entry: start a gateway or the emulator from code (tests, embedding). */
export { startGateway, type GatewayOptions, type RunningGateway } from './server/main.js';
export { startEmulator } from './emulator/index.js';
export { resolveConfig, parseConfigText, ConfigError, type LoadedConfig } from './spec/config/load-config.js';
export { createLogger, type Logger } from './server/logger.js';
export type { LedgerRow, Attribution } from './spec/ledger.js';
export type { TokenUsage } from './spec/usage.js';
