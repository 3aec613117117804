/**
 * Why a request got no HTTP answer: a timeout, a connection error, a TLS problem (an untrusted or wrong
 * certificate), a proxy that refused the tunnel, or cancellation.
 */
export type TransportErrorKind = 'timeout' | 'connection' | 'tls' | 'proxy' | 'cancelled'

export class TransportError extends Error {
  constructor(
    readonly kind: TransportErrorKind,
    message: string,
    /** It will not fix itself: sending more requests the same way would only fail them the same way. */
    readonly fatal = false
  ) {
    super(message)
    this.name = 'TransportError'
  }
}
