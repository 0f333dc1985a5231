import t from 'tap';
import * as der from '../../src/certificate/der.js';

t.test('DER primitives', async (t) => {
  t.equal(der.oid('1.2.840.10045.4.3.2').toString('hex'), '06082a8648ce3d040302');
  t.equal(der.oid('2.5.29.17').toString('hex'), '0603551d11');
  t.equal(der.smallInteger(2).toString('hex'), '020102');
  t.equal(der.smallInteger(128).toString('hex'), '02020080', 'high bit padded');
  t.equal(der.unsignedInteger(Buffer.from([0, 0, 1])).toString('hex'), '020101', 'leading zeros trimmed');
  t.equal(der.time(new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 999))).toString('hex'), Buffer.concat([Buffer.from([0x17, 13]), Buffer.from('300102030405Z')]).toString('hex'));
  t.equal(der.time(new Date(Date.UTC(2050, 0, 1))).toString('latin1').slice(2), '20500101000000Z', 'GeneralizedTime from 2050');
  t.equal(der.time(new Date(Date.UTC(2050, 0, 1)))[0], 0x18);
  const long = der.octetString(Buffer.alloc(300));
  t.equal(long.subarray(0, 4).toString('hex'), '0482012c', 'long-form length');
  t.throws(() => der.ia5('ünïcode'), /not IA5/);
  t.match(der.toPem('CERTIFICATE', Buffer.alloc(100)), /^-----BEGIN CERTIFICATE-----\n(?:[A-Za-z0-9+/]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
});
