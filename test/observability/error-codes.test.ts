import t from 'tap';
import { CertificateErrorCode } from '../../src/certificate/types.js';
import { errorCodeInfo } from '../../src/observability/error-codes.js';

// Codes raised by this project mean what FSM's documented table says they mean.
t.test('certificate errors carry the documented code of their meaning', async (t) => {
  const meaning: Record<keyof typeof CertificateErrorCode, string> = {
    badBootstrapCommonName: 'ErrParsingXDSCertCN',
    badValidity: 'ErrCreatingCert',
    issuerFailed: 'ErrIssuingCert',
    badStoredCa: 'ErrInvalidCA',
    badKeyType: 'ErrGeneratingPrivateKey',
    badRootSet: 'ErrCreatingRootCert',
    rootMissing: 'ErrCreatingRootCert',
  };
  for (const [use, code] of Object.entries(CertificateErrorCode)) {
    t.equal(errorCodeInfo(code)?.name, meaning[use as keyof typeof CertificateErrorCode], `${use} is ${code}`);
  }
});

t.test('lookups accept lower case and bare numbers; unknown codes are undefined', async (t) => {
  t.equal(errorCodeInfo('e5010')?.name, 'ErrMismatchedServiceAccount');
  t.equal(errorCodeInfo(' 5001 ')?.code, 'E5001');
  t.equal(errorCodeInfo('E1006'), undefined, 'not in the documented table');
});
