// Known conditions of the notifier.

/** Posting alerts to one Alertmanager failed. */
export class AlertmanagerSendError extends Error {
  readonly url: string;
  constructor(url: string, what: string, options?: ErrorOptions) {
    super(`send alerts to ${url}: ${what}`, options);
    this.url = url;
  }
}
