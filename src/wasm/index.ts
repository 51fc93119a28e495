// Node entry of the codec (package export "./codec", default condition).
export * from "./api.js";
export { loadWasm } from "./load-node.js";
