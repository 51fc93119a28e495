export { Notifier, NOTIFIER_DEFAULTS, type NotifierOptions, type AlertmanagerCounters } from "./notifier.js";
export { tableLinkForExpression, type Alert } from "./alert.js";
export { AlertmanagerSendError } from "./errors.js";
