/**
 * Key pairs from node:crypto (native). RSA generation runs on the libuv
 * thread pool (async), never on the event loop; P-256 is cheap either way.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import * as der from './der.js';
import { CertificateError, CertificateErrorCode, type KeyType } from './types.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface KeyMaterial {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SubjectPublicKeyInfo DER. */
  readonly spki: Buffer;
}

/** Rejects RSA sizes outside MeshConfig's 2048..4096 range. */
export function validateKeyType(keyType: KeyType): KeyType {
  if (keyType.kind === 'rsa' && (!Number.isInteger(keyType.bits) || keyType.bits < 2048 || keyType.bits > 4096)) {
    throw new CertificateError(CertificateErrorCode.badKeyType, `RSA key size ${keyType.bits} outside 2048..4096`);
  }
  return keyType;
}

/** The key type MeshConfig's `certKeyBitSize` selects when RSA is wanted. */
export function rsaKeyType(bits: number): KeyType {
  return validateKeyType({ kind: 'rsa', bits });
}

export async function generateKey(keyType: KeyType): Promise<KeyMaterial> {
  validateKeyType(keyType);
  const pair =
    keyType.kind === 'rsa'
      ? await generateKeyPairAsync('rsa', { modulusLength: keyType.bits, publicExponent: 0x10001 })
      : await generateKeyPairAsync('ec', { namedCurve: 'prime256v1' });
  return { ...pair, spki: spkiOf(pair.publicKey) };
}

const EC_P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

/**
 * SubjectPublicKeyInfo DER of a public key, assembled from its JWK form:
 * node's `export({type:'spki'})` goes through OpenSSL 3's encoder lookup and
 * measured ~1 ms per call here (more than signing), the JWK export ~30 µs.
 */
export function spkiOf(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty === 'EC' && jwk.crv === 'P-256' && jwk.x && jwk.y) {
    return Buffer.concat([EC_P256_SPKI_PREFIX, Buffer.from([0x04]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  }
  if (jwk.kty === 'RSA' && jwk.n && jwk.e) {
    const rsaPublicKey = der.sequence(der.unsignedInteger(Buffer.from(jwk.n, 'base64url')), der.unsignedInteger(Buffer.from(jwk.e, 'base64url')));
    return der.sequence(der.sequence(der.oid('1.2.840.113549.1.1.1'), der.nullValue()), der.bitString(rsaPublicKey));
  }
  return publicKey.export({ type: 'spki', format: 'der' });
}

/** PKCS#1 for RSA (what FSM hands Pipy), SEC1 for EC: both load in OpenSSL-based proxies. */
export function privateKeyToPem(key: KeyObject): string {
  const type = key.asymmetricKeyType === 'rsa' ? 'pkcs1' : key.asymmetricKeyType === 'ec' ? 'sec1' : 'pkcs8';
  return key.export({ type, format: 'pem' }) as string;
}

export function loadPrivateKey(pem: string): KeyMaterial {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, spki: spkiOf(publicKey) };
}

/**
 * Key identifier for SKI/AKI: the first 160 bits of SHA-256 over the whole
 * SubjectPublicKeyInfo (RFC 7093 §2 method 4), so no ASN.1 parsing is needed.
 */
export function keyIdentifier(spki: Uint8Array): Buffer {
  return createHash('sha256').update(spki).digest().subarray(0, 20);
}

export function keyTypeOf(key: KeyObject): KeyType {
  if (key.asymmetricKeyType === 'rsa') return { kind: 'rsa', bits: key.asymmetricKeyDetails?.modulusLength ?? 2048 };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return { kind: 'ecdsa-p256' };
  throw new CertificateError(CertificateErrorCode.badKeyType, `unsupported CA key type ${key.asymmetricKeyType ?? 'unknown'}`);
}
