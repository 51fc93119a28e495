// Picks the exposition format from a scrape response's Content-Type, as Prometheus does:
// OpenMetrics for application/openmetrics-text, the text format 0.0.4 for anything else.
import { UnsupportedFormatError } from "./errors.js";
import type { Parser } from "./interface.js";
import { RecordParser, type ExpositionFormat } from "./parser.js";

export function formatForContentType(contentType: string | undefined): ExpositionFormat {
  const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType === "application/openmetrics-text") return "openmetrics";
  if (mediaType === "application/vnd.google.protobuf") {
    throw new UnsupportedFormatError(`unsupported exposition format ${JSON.stringify(mediaType)}`);
  }
  return "text";
}

/** A parser over the whole body; throws ParseError at once when the body does not lex. */
export function newParser(body: Uint8Array, contentType: string | undefined): Parser {
  return new RecordParser(body, formatForContentType(contentType));
}
