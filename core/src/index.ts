/** Node entry: installs the node:crypto (OpenSSL 3) runtime. */
import { useRuntime } from './runtime/current.js';
import { nodeRuntime } from './runtime/node.js';

useRuntime(nodeRuntime);

export * from './api.js';
export { nodeRuntime };
