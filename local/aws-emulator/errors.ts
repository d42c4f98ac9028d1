/** An AWS error response. The server renders it in the protocol of the service that raised it. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** awsQuery-compatible services (SQS over JSON) also send the legacy query error code in a header. */
    readonly queryCode?: string,
  ) {
    super(message);
  }
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** The JSON services' wording for a missing required member. */
export const missingMember = (member: string, code = 'ValidationException'): ApiError =>
  new ApiError(
    code,
    `1 validation error detected: Value null at '${lowerFirst(member)}' failed to satisfy constraint: Member must not be null`,
  );
