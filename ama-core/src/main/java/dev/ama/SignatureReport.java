package dev.ama;

import java.util.List;

/**
 * What {@link AssetClient#verifySignatures} found: how much it checked, and each version, alias
 * head or signature object that a client with the policy would refuse or that is damaged.
 *
 * @param versions versions checked
 * @param aliases alias heads checked
 * @param signatures signature objects read
 * @param problems one line each: the object, why it fails, the fix; empty if all is trusted
 */
public record SignatureReport(int versions, int aliases, int signatures, List<String> problems) {
  /** Copies the list. */
  public SignatureReport {
    problems = List.copyOf(problems);
  }

  /** Whether nothing failed. */
  public boolean ok() {
    return problems.isEmpty();
  }
}
