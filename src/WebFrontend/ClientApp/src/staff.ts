// The caseworker's and supervisor's screens, one chunk loaded only by those roles: a mentor's phone never downloads them.
export { isRendered, markAction, markTyped, renderWorkbench, renderWorkbenchCase } from "./workbench";
export { refreshSupervisor, renderSupervisor } from "./supervisor";
export { onImportProgress, renderImport, resyncImport, type ImportProgress } from "./imports";
export { renderProblems } from "./problems";
export { renderSubjectAccess } from "./subjectaccess";
export { renderPrivacy } from "./privacy";
export { renderNotifications } from "./notifications";
