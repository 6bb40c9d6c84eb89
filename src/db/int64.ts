/** PostgreSQL bigint's range: every byte counter and id this service stores fits in it. */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
