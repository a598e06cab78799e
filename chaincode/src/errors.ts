/**
 * Stable codes for refused transactions. Fabric hands a client only the error
 * message, so the code leads the message (`CODE: ...`) where the gateway can
 * map it without parsing prose.
 */
export type ChaincodeErrorCode = 'INVALID_ARGUMENT' | 'PAYLOAD_REFUSED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT';

/** A transaction refused on purpose; nothing was written. */
export class ChaincodeError extends Error {
  readonly code: ChaincodeErrorCode;

  constructor(code: ChaincodeErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'ChaincodeError';
    this.code = code;
  }
}

/** An argument failed validation; the message names the argument. */
export function invalidArgument(argument: string, problem: string): ChaincodeError {
  return new ChaincodeError('INVALID_ARGUMENT', `argument '${argument}' ${problem}`);
}

export function forbidden(message: string): ChaincodeError {
  return new ChaincodeError('FORBIDDEN', message);
}

export function notFound(message: string): ChaincodeError {
  return new ChaincodeError('NOT_FOUND', message);
}

export function conflict(message: string): ChaincodeError {
  return new ChaincodeError('CONFLICT', message);
}
