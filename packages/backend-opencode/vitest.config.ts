import { packageProject } from "../../vitest.shared.js";

export default packageProject("backend-opencode", { typecheck: true });
