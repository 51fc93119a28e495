// Known scrape conditions, with Prometheus' messages since they show up as lastError.

export class ScrapeError extends Error {}

export class BodySizeLimitError extends ScrapeError {
  constructor() {
    super("body size limit exceeded");
  }
}

export class SampleLimitError extends ScrapeError {
  constructor() {
    super("sample limit exceeded");
  }
}

export class LabelLimitError extends ScrapeError {}

export class TargetLimitError extends ScrapeError {
  constructor(count: number, limit: number) {
    super(`target_limit exceeded (number of targets: ${count}, limit: ${limit})`);
  }
}

export class InvalidSampleError extends ScrapeError {}

/** A target the relabeled labels cannot describe (no address, bad scheme, bad interval label). */
export class TargetLabelsError extends ScrapeError {}
