// Status codes returned (negative) by the XOR kernels; src/wasm/errors.ts maps them.
export const STATUS_TRUNCATED: i32 = -1;
export const STATUS_BAD_WINDOW: i32 = -2;
export const STATUS_TOO_MANY_SAMPLES: i32 = -3;
export const STATUS_BAD_TIMESTAMP: i32 = -4;
export const STATUS_BAD_VARINT: i32 = -5;
