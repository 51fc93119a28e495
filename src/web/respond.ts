// Success envelopes: {"status":"success","data":...,"warnings":[...],"infos":[...]}.
import type { Context } from "koa";
import type { ApiError } from "./api-error.js";

/** Writes a success response whose data is already JSON text. */
export function sendDataJSON(ctx: Context, dataJSON: string, warnings: readonly string[] = [], infos: readonly string[] = []): void {
  let body = `{"status":"success","data":${dataJSON}`;
  if (warnings.length > 0) body += `,"warnings":${JSON.stringify(warnings)}`;
  if (infos.length > 0) body += `,"infos":${JSON.stringify(infos)}`;
  ctx.type = "application/json";
  ctx.body = body + "}";
}

export function sendData(ctx: Context, data: unknown, warnings: readonly string[] = []): void {
  sendDataJSON(ctx, JSON.stringify(data), warnings);
}

export function sendError(ctx: Context, err: ApiError): void {
  ctx.status = err.status;
  ctx.type = "application/json";
  ctx.body = JSON.stringify({ status: "error", errorType: err.type, error: err.message });
}
