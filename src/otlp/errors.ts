// Conditions the OTLP handler answers with a 4xx of its own.

/** The body is not an ExportMetricsServiceRequest in the form its Content-Type says. */
export class OtlpDecodeError extends Error {}
