/**
 * A certificate serial as bare lower-case hex, for comparing what a TLS peer
 * shows with what was issued: Node prints serials zero-padded to whole bytes
 * (`0fd8…`), the certificate module without the leading zero (`fd8…`).
 */
export function hexSerial(serial: string): string {
  return serial.toLowerCase().replace(/^0+(?=.)/, '');
}
