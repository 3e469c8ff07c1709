// An independent verifier: BouncyCastle (Debian libbcprov-java/libbcpkix-java), driven by MedSign's tests.
//   java BcVerify cms MESSAGE.der [CONTENT]   verify a CMS SignedData (attached, or detached with CONTENT)
//   java BcVerify cert CERT.der ISSUER.der     verify a certificate's signature with the issuer's key
//   java BcVerify tsp TOKEN.der                verify an RFC 3161 token's signature and print its fields
// Prints one line starting with OK or FAIL; exits 0 only for OK.
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.Security;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.io.ByteArrayInputStream;
import java.util.Collection;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.util.Store;

public class BcVerify {
  static byte[] read(String p) throws Exception { return Files.readAllBytes(Paths.get(p)); }

  static X509Certificate x509(byte[] der) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509", "BC").generateCertificate(new ByteArrayInputStream(der));
  }

  public static void main(String[] args) throws Exception {
    Security.addProvider(new BouncyCastleProvider());
    try {
      switch (args[0]) {
        case "cms": {
          CMSSignedData sd = args.length > 2 ? new CMSSignedData(new CMSProcessableByteArray(read(args[2])), read(args[1])) : new CMSSignedData(read(args[1]));
          Store<X509CertificateHolder> certs = sd.getCertificates();
          int n = 0;
          for (SignerInformation si : sd.getSignerInfos().getSigners()) {
            @SuppressWarnings("unchecked")
            Collection<X509CertificateHolder> matches = certs.getMatches(si.getSID());
            if (matches.isEmpty()) { System.out.println("FAIL no signer certificate"); System.exit(1); }
            X509CertificateHolder h = matches.iterator().next();
            if ("1.2.156.10197.1.301.1".equals(si.getEncryptionAlgOID())) {
              // GM/T 0010's sm2-1 spelling, which BC's CMS layer does not map: check the same two things by hand
              byte[] content = (byte[]) sd.getSignedContent().getContent();
              java.security.MessageDigest md = java.security.MessageDigest.getInstance("SM3", "BC");
              byte[] expected = org.bouncycastle.asn1.ASN1OctetString.getInstance(
                  si.getSignedAttributes().get(org.bouncycastle.asn1.cms.CMSAttributes.messageDigest).getAttrValues().getObjectAt(0)).getOctets();
              if (!java.util.Arrays.equals(md.digest(content), expected)) { System.out.println("FAIL messageDigest"); System.exit(1); }
              java.security.Signature sig = java.security.Signature.getInstance("SM3withSM2", "BC"); // default ID 1234567812345678
              sig.initVerify(new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().setProvider("BC").getCertificate(h).getPublicKey());
              sig.update(si.getEncodedSignedAttributes());
              if (!sig.verify(si.getSignature())) { System.out.println("FAIL signature"); System.exit(1); }
            } else if ("1.2.156.10197.1.401".equals(si.getDigestAlgOID()) && "1.2.840.113549.1.1.1".equals(si.getEncryptionAlgOID())) {
              // SM3withRSA, which BC 1.72's provider has no Signature for: RSA-recover the DigestInfo with
              // BC's RSA, and compare it with SM3withRSA's DigestInfo over the signed attributes (BC's SM3)
              byte[] content = (byte[]) sd.getSignedContent().getContent();
              java.security.MessageDigest sm3 = java.security.MessageDigest.getInstance("SM3", "BC");
              byte[] expected = org.bouncycastle.asn1.ASN1OctetString.getInstance(
                  si.getSignedAttributes().get(org.bouncycastle.asn1.cms.CMSAttributes.messageDigest).getAttrValues().getObjectAt(0)).getOctets();
              if (!java.util.Arrays.equals(sm3.digest(content), expected)) { System.out.println("FAIL messageDigest"); System.exit(1); }
              javax.crypto.Cipher rsa = javax.crypto.Cipher.getInstance("RSA/ECB/PKCS1Padding", "BC");
              rsa.init(javax.crypto.Cipher.DECRYPT_MODE, new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().setProvider("BC").getCertificate(h).getPublicKey());
              byte[] recovered = rsa.doFinal(si.getSignature());
              byte[] digestInfo = new org.bouncycastle.asn1.x509.DigestInfo(
                  new org.bouncycastle.asn1.x509.AlgorithmIdentifier(new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.2.156.10197.1.401"), org.bouncycastle.asn1.DERNull.INSTANCE),
                  sm3.digest(si.getEncodedSignedAttributes())).getEncoded("DER");
              if (!java.util.Arrays.equals(recovered, digestInfo)) { System.out.println("FAIL signature"); System.exit(1); }
            } else if (!si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(h))) { System.out.println("FAIL signature"); System.exit(1); }
            System.out.println("OK " + si.getEncryptionAlgOID() + " " + si.getDigestAlgOID() + " " + h.getSubject());
            n++;
          }
          if (n == 0) { System.out.println("FAIL no signers"); System.exit(1); }
          break;
        }
        case "cert": {
          X509Certificate c = x509(read(args[1]));
          X509Certificate issuer = x509(read(args[2]));
          c.verify(issuer.getPublicKey(), "BC");
          System.out.println("OK " + c.getSigAlgName() + " " + c.getSubjectX500Principal().getName());
          break;
        }
        case "tsp": {
          TimeStampToken t = new TimeStampToken(new CMSSignedData(read(args[1])));
          @SuppressWarnings("unchecked")
          Collection<X509CertificateHolder> matches = t.getCertificates().getMatches(t.getSID());
          if (matches.isEmpty()) { System.out.println("FAIL no TSA certificate"); System.exit(1); }
          t.validate(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(matches.iterator().next()));
          System.out.println("OK " + t.getTimeStampInfo().getGenTime().getTime() + " " + t.getTimeStampInfo().getSerialNumber()
              + " " + org.bouncycastle.util.encoders.Hex.toHexString(t.getTimeStampInfo().getMessageImprintDigest()));
          break;
        }
        default:
          System.out.println("FAIL usage");
          System.exit(2);
      }
    } catch (Exception e) {
      System.out.println("FAIL " + e.getClass().getSimpleName() + ": " + e.getMessage());
      System.exit(1);
    }
  }
}
