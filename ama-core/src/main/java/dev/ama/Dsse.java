package dev.ama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * DSSE (Dead Simple Signing Envelope, secure-systems-lab/dsse v1): a payload, its type, and
 * signatures over the pre-authentication encoding of both, so a signature cannot be moved to a
 * payload of another type. AMA's envelopes are canonical JSON with one signature each.
 */
final class Dsse {
  /** The payload type of in-toto statements, which a version's signature carries. */
  static final String IN_TOTO = "application/vnd.in-toto+json";

  private Dsse() {}

  /** One signature of an envelope: the key id and the raw signature bytes. */
  record Sig(String keyId, byte[] sig) {}

  /** An envelope as read: its payload type, payload bytes and signatures. */
  record Envelope(String payloadType, byte[] payload, List<Sig> signatures) {
    /** Whether some signature by this key verifies over the envelope's PAE. */
    boolean signedBy(TrustedKey key) {
      byte[] pae = pae(payloadType, payload);
      return signatures.stream().anyMatch(s -> s.keyId().equals(key.keyId()) && key.verifies(pae, s.sig()));
    }

    /** Whether the envelope names this key at all, verified or not. */
    boolean names(String keyId) {
      return signatures.stream().anyMatch(s -> s.keyId().equals(keyId));
    }
  }

  /**
   * DSSE's pre-authentication encoding: {@code "DSSEv1" SP len(type) SP type SP len(body) SP
   * body}, lengths as ASCII decimal byte counts. This is what the Ed25519 signature signs.
   */
  static byte[] pae(String payloadType, byte[] body) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + type.length + 32);
    out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(type);
    out.writeBytes((" " + body.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(body);
    return out.toByteArray();
  }

  /** A signed envelope's canonical JSON. */
  static byte[] sign(String payloadType, byte[] payload, SigningKey key) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("payload", Base64.getEncoder().encodeToString(payload));
    root.put("payloadType", payloadType);
    ArrayNode sigs = root.putArray("signatures");
    ObjectNode sig = sigs.addObject();
    sig.put("keyid", key.keyId());
    sig.put("sig", Base64.getEncoder().encodeToString(key.sign(pae(payloadType, payload))));
    return Manifests.canonical(root);
  }

  /**
   * Parses an envelope strictly (no duplicate keys, no trailing data, standard base64).
   *
   * @param where the object in the user's words, for messages
   * @throws IntegrityException if it is not a DSSE envelope
   */
  static Envelope read(byte[] bytes, String where) {
    try {
      JsonNode root = Manifests.JSON.readTree(bytes);
      if (root == null || !root.isObject()) {
        throw new IntegrityException(where + " is not a JSON object, so not a DSSE envelope");
      }
      String type = text(root, "payloadType", where);
      byte[] payload = Base64.getDecoder().decode(text(root, "payload", where));
      JsonNode sigs = root.get("signatures");
      if (sigs == null || !sigs.isArray() || sigs.isEmpty()) {
        throw new IntegrityException(where + " has no 'signatures' array");
      }
      List<Sig> out = new ArrayList<>();
      for (JsonNode s : sigs) {
        out.add(new Sig(text(s, "keyid", where), Base64.getDecoder().decode(text(s, "sig", where))));
      }
      return new Envelope(type, payload, out);
    } catch (IOException | IllegalArgumentException e) {
      throw new IntegrityException(where + " is not a valid DSSE envelope: " + e.getMessage(), e);
    }
  }

  static String text(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new IntegrityException(where + " has no text field '" + field + "'");
    }
    return v.asText();
  }
}
