// Known failure conditions of the client library. Match them with instanceof.
import type { Collector } from "./interface.js";

export class ClientError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A metric or label name that Prometheus would reject, or a reserved label name. */
export class InvalidNameError extends ClientError {}

/** Descriptors that conflict with each other or with ones already registered. */
export class RegistrationError extends ClientError {}

/** The same collector, or one with identical descriptors, is registered already; `existing` is that one. */
export class AlreadyRegisteredError extends RegistrationError {
  constructor(
    message: string,
    readonly existing: Collector,
  ) {
    super(message);
  }
}

/** Label values that do not match a Vec's label names (wrong count, unknown or missing name). */
export class LabelValuesError extends ClientError {}

/** A value a metric type does not accept, e.g. a negative counter increment. */
export class InvalidValueError extends ClientError {}

/** Inconsistent output found while gathering: duplicate series, mismatched type or help. */
export class GatherError extends ClientError {}

/** A Pushgateway request that failed or got a status other than 200/202. */
export class PushError extends ClientError {
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
