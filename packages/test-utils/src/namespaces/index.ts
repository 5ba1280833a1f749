export { FleetNetwork, pidNamespacesUnavailable, spawnInPidNamespace } from "./fleet-network.js";
export { harnessNamespaces, NAMESPACE_PREFIX, removeLeftoverNamespaces } from "./leftovers.js";
export { LineHost } from "./line-host.js";
