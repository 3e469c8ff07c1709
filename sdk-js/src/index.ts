/** @medsign/sdk: the agent from web pages (and Node), typed, with events and a GM/T 0020 facade. */
export { MedSignClient, type ClientOptions, type ClientEvents, type ConnectionState } from './client.js';
export { MedSignError, type AgentErrorData } from './errors.js';
export { createSofFacade, installSof, type SofFacade } from './sof.js';
export * from './api.generated.js';
