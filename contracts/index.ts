// The one place the API, the worker and the workflows agree on names and shapes.
export * from './taskQueues';
export * from './workflowIds';
export * from './failures';
export * from './payloads';
export * from './searchAttributes';
export * from './inventory';
export * from './booking';
export * from './searchAttributeKeys';
export * from './runs';
