/**
 * A reply value that is already Go's JSON text. A `FluxApi` serving the HTTP handler may return one
 * in place of a value whose route writes the whole value (every route but GetPublicSSHKey, which
 * writes a part of GitRepoConfig's): the handler then writes the text as it is instead of encoding.
 * The hub's cluster mode uses it for calls another replica answered: the text is what that
 * replica's encoder made of the daemon's value, the very bytes this replica's would make of it, so
 * decoding and encoding it again would only cost time; it stays the UTF-8 bytes that came over
 * NATS (no decoding to a string and encoding back for the response).
 */
export class EncodedJson {
  constructor(readonly json: string | Uint8Array) {}
}
