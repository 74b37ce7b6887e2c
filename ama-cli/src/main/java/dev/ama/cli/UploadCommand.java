package dev.ama.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ama.AssetClient;
import dev.ama.AssetUpload;
import dev.ama.AssetVersion;
import dev.ama.InvalidInputException;
import dev.ama.NotFoundException;
import dev.ama.VersionSignature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "upload",
    mixinStandardHelpOptions = true,
    description = {
      "Upload the staged files as a new version.",
      "",
      "Stores the files, moves the alias to the new version, and clears the stage; the type stays, for the next version. Files already in the store are not sent again. Uploading identical files and refs under the same alias again changes nothing and prints the existing version.",
      "",
      "What is uploaded is what is staged when the upload starts. 'ama add', 'set' and 'rm' still work while it runs, and what they stage stays staged for the next version.",
      ""
    },
    footer = {"%nExamples:", "  ama upload", "  ama upload --json", "  ama upload --rehash",
        "  ama upload --store s3://bucket/assets"})
final class UploadCommand extends AmaCommand {
  @Option(names = "--json", description = "Print the uploaded version as JSON (the shape of 'ama show --json', with its"
      + " signatures).")
  boolean json;

  @Option(names = "--rehash", description = "Hash every file again instead of trusting the hash cache for files that"
      + " look unchanged (same size, modification time, change time and inode).")
  boolean rehash;

  @Option(names = "--sign", paramLabel = "KEY", description = "Sign the version, and the alias move, with this private"
      + " key (NAME.key.pem, or FILE.p12[:ENTRY] with AMA_KEY_PASSWORD); see docs/trust.md.")
  Optional<String> sign;

  @Mixin StoreFormatOption storeFormat;

  @Override
  Optional<Integer> storeFormatOption() {
    return storeFormat.value;
  }

  /** The first upload creates the store. */
  @Override
  boolean readsStore() {
    return false;
  }

  @Override
  public Integer call() {
    // Not held during the transfer, which may take hours: other commands need not wait for it.
    Stage stage;
    try (StageStore.Lock lock = stageStore().lock()) {
      stage = startedStage();
    }
    String type = stage.type().orElseThrow();
    if (stage.files().isEmpty()) {
      String last = stage.lastUpload().map(u -> " (the last upload, " + u.type() + u.alias().map(a -> "/" + a).orElse("")
          + ", is done)").orElse("");
      throw new InvalidInputException(
          "nothing to upload: no files are staged for " + type + last + "; stage some with: ama add FILE...");
    }
    for (Stage.StagedFile f : stage.files().values()) {
      Path source = workDir().resolve(f.source());
      if (!Files.isRegularFile(source)) {
        throw new NotFoundException(
            "staged file " + f.source() + " is gone from " + workDir() + "; put it back, or unstage it with: ama rm "
                + f.path());
      }
      // ama add refused such a link; one put in place of a staged file afterwards is refused the same way.
      Optional<Path> leaving = FileArgs.leavingLink(workDir(), source);
      if (leaving.isPresent()) {
        throw new InvalidInputException("staged file " + f.source() + " is now a symbolic link to " + leaving.get()
            + ", outside " + workDir() + "; unstage it with: ama rm " + f.path()
            + ", and to upload the target stage it again with: ama add --follow-symlinks " + f.source());
      }
    }
    AssetVersion version;
    List<VersionSignature> signers;
    Optional<String> formatNote;
    // Read before anything is hashed or sent: a wrong key path must fail at once.
    Optional<dev.ama.SigningKey> signer = sign.map(this::signingKey);
    try (AssetClient client = openClient()) {
      AssetUpload upload = client.newAsset(type);
      for (Stage.StagedFile f : stage.files().values()) {
        upload.add(f.path(), workDir().resolve(f.source()));
      }
      stage.alias().ifPresent(upload::alias);
      for (Stage.StagedRef r : stage.refs()) {
        if (r.version().isEmpty()) {
          upload.ref(r.type(), r.alias().orElseThrow());
          continue;
        }
        // Pinned when staged: exactly that version, whatever its alias points at now.
        AssetVersion pinned;
        try {
          pinned = client.version(r.version().get());
        } catch (NotFoundException e) {
          throw new NotFoundException("the staged ref " + r + " names no version in " + client.location()
              + " (was it staged against another store?); start the asset over with: " + StageStore.START_OVER
              + ", or upload to the store it came from", e);
        }
        if (r.alias().isPresent()) {
          upload.ref(pinned, r.alias().get());
        } else {
          upload.ref(pinned);
        }
      }
      stage.description().ifPresent(upload::description);
      stage.labels().forEach(upload::label);
      if (rehash) {
        upload.rehash();
      }
      signer.ifPresent(upload::sign);
      version = upload.upload();
      signers = json ? client.signatures(version) : List.of();
      formatNote = storeFormatNote(client);
    }
    Stage.LastUpload done = new Stage.LastUpload(type, stage.alias(), version.version().toString(), version.createdAt());
    Stage after;
    // With create: if .ama/ was removed meanwhile, the upload is still recorded.
    try (StageStore.Lock lock = stageStore().lock(true)) {
      after = stageStore().load();
      after.uploaded(stage, done);
      stageStore().save(after);
    }
    if (json) {
      ObjectNode node = Views.version(version);
      // Identical content is one version: it may have been first uploaded under another alias.
      node.put("alias", done.alias().orElse(version.alias().orElse(null)));
      node.set("signatures", Views.signatures(signers));
      Format.printJson(out(), node);
    } else {
      String name = type + done.alias().map(a -> "/" + a).orElse("");
      List<String> refs = version.refs().stream().map(Object::toString).toList();
      info("uploaded " + name + " " + version.version() + " (" + version.files().size() + " file(s), "
          + Format.size(version.size()) + (refs.isEmpty() ? "" : "; refs: " + String.join(", ", refs)) + ")");
      formatNote.ifPresent(this::info);
      if (!after.files().isEmpty() && after.type().equals(stage.type())) {
        int n = after.files().size();
        info("staged while uploading, still staged: " + (n <= 10 ? String.join(", ", after.files().keySet())
            : n + " files (see: ama status)") + "; upload them with: ama upload");
      }
    }
    return ExitCodes.OK;
  }
}
