/**
 * SignedData with its certificates and CRLs kept as raw DER. @peculiar's SignedData parses
 * each certificate into objects and re-encodes it, and asn1js cannot re-encode OID arcs
 * above 2^53 (our UUID-arc extensions), so a carried certificate would come out changed.
 * Raw DER also lets verification use the certificates exactly as received, and the
 * signed attributes exactly as signed (asn1-schema drops the raw bytes of SET OF fields).
 */
import { CMSVersion, DigestAlgorithmIdentifiers, EncapsulatedContentInfo } from '@peculiar/asn1-cms';
import { AsnArray, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes } from '@peculiar/asn1-schema';

@AsnType({ type: AsnTypeTypes.Set, itemType: AsnPropTypes.Any })
export class RawDerSet extends AsnArray<ArrayBuffer> {
  constructor(items?: ArrayBuffer[]) {
    super(items);
    Object.setPrototypeOf(this, RawDerSet.prototype);
  }
}

/** SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos } */
export class RawSignedData {
  @AsnProp({ type: AsnPropTypes.Integer })
  version: CMSVersion = CMSVersion.v1;

  @AsnProp({ type: DigestAlgorithmIdentifiers })
  digestAlgorithms = new DigestAlgorithmIdentifiers();

  @AsnProp({ type: EncapsulatedContentInfo })
  encapContentInfo = new EncapsulatedContentInfo();

  @AsnProp({ type: RawDerSet, context: 0, implicit: true, optional: true })
  certificates?: RawDerSet;

  @AsnProp({ type: RawDerSet, context: 1, implicit: true, optional: true })
  crls?: RawDerSet;

  /** raw SignerInfo DER, so the signed attributes can be read exactly as signed */
  @AsnProp({ type: RawDerSet })
  signerInfos = new RawDerSet();

  constructor(params: Partial<RawSignedData> = {}) {
    Object.assign(this, params);
  }
}
