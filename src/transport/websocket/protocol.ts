/** RFC 6455's numbers: opcodes (§5.2), close codes (§7.4), the control frame limit (§5.5). */

export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

export const MAX_CONTROL_PAYLOAD = 125;

export const CLOSE_NORMAL = 1000;
export const CLOSE_PROTOCOL_ERROR = 1002;
export const CLOSE_NO_STATUS = 1005;
export const CLOSE_ABNORMAL = 1006;
export const CLOSE_TOO_BIG = 1009;

/**
 * Close codes a peer may send (gorilla's `isValidReceivedCloseCode`): 1000–1003, 1007–1013 and
 * 3000–4999. 1004–1006, 1014 and 1015 are refused, as gorilla refuses them.
 */
export function isValidReceivedCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1013) || (code >= 3000 && code <= 4999);
}
