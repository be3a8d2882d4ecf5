/**
 * The provider emulator: a local HTTP server speaking the OpenAI, Anthropic and Gemini wire formats, scripted by
 * `[[emu:{...}]]` directives. Reference: docs/emulator.md.
 */
export { startEmulator } from './emulator-server.js';
export type { EmulatorOptions, RecordedRequest, RunningEmulator } from './emulator-server.js';
export { readDirective } from './directive.js';
export type { Directive } from './directive.js';
