import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * A build step of ama-cli, run by the build as a single-file program with ASM on the class path:
 * {@code java -cp asm.jar UpgradeClassFiles.java IN.jar OUT.jar MAJOR}. Copies a jar, raising
 * every class file older than class file version MAJOR to MAJOR and computing the stack map
 * frames such a version needs; every other entry, and each class's code, is copied unchanged.
 *
 * <p>Why: picocli's jar is compiled for Java 5 (class file version 49). The JVM verifies such
 * classes with the old type-inferring verifier on every run, and neither an AppCDS archive nor
 * the JDK 25 AOT cache can keep classes verified that way, so a cold {@code ama} command read,
 * parsed and verified picocli's 172 classes from the jar each time, the largest part of its
 * start-up. Version 61 classes with frames are verified by the type-checking verifier and
 * archived like AMA's own. The bytecode instructions are not touched, so the behaviour is
 * picocli's; the build's tests of the installed command run the rewritten jar.
 */
public final class UpgradeClassFiles {
  private UpgradeClassFiles() {}

  public static void main(String... args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: UpgradeClassFiles IN.jar OUT.jar MAJOR, such as 61 for Java 17");
    }
    Path in = Path.of(args[0]);
    Path out = Path.of(args[1]);
    int major = Integer.parseInt(args[2]);
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    int upgraded = 0;
    try (ZipFile zip = new ZipFile(in.toFile());
        ZipOutputStream target = new ZipOutputStream(Files.newOutputStream(tmp))) {
      Map<String, byte[]> classes = new HashMap<>();
      List<ZipEntry> entries = new ArrayList<>();
      for (ZipEntry entry : java.util.Collections.list(zip.entries())) {
        entries.add(entry);
        String name = entry.getName();
        if (name.startsWith("META-INF/") && (name.endsWith(".SF") || name.endsWith(".RSA") || name.endsWith(".DSA")
            || name.endsWith(".EC"))) {
          throw new IllegalStateException(in + " is signed (" + name + "); rewriting its classes would break the"
              + " signature. Leave this jar out of the upgrade.");
        }
        if (isClass(name)) {
          try (InputStream content = zip.getInputStream(entry)) {
            classes.put(name.substring(0, name.length() - ".class".length()), content.readAllBytes());
          }
        }
      }
      Hierarchy hierarchy = new Hierarchy(classes);
      for (ZipEntry entry : entries) {
        byte[] content;
        try (InputStream stream = zip.getInputStream(entry)) {
          content = stream.readAllBytes();
        }
        if (isClass(entry.getName()) && version(content) < major) {
          content = upgrade(content, major, hierarchy);
          upgraded++;
        }
        ZipEntry copy = new ZipEntry(entry.getName());
        copy.setTime(entry.getTime());
        target.putNextEntry(copy);
        target.write(content);
        target.closeEntry();
      }
    }
    Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    System.out.println("UpgradeClassFiles: " + upgraded + " classes of " + in.getFileName() + " raised to class file"
        + " version " + major + " in " + out);
  }

  private static boolean isClass(String name) {
    return name.endsWith(".class") && !name.endsWith("module-info.class");
  }

  private static int version(byte[] classFile) {
    return ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
  }

  private static byte[] upgrade(byte[] classFile, int major, Hierarchy hierarchy) {
    ClassReader reader = new ClassReader(classFile);
    // COMPUTE_FRAMES also recomputes max stack and locals; JSR/RET (which version 51 and later
    // forbid) make ASM fail here rather than produce a class the JVM would refuse.
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
      @Override
      protected String getCommonSuperClass(String type1, String type2) {
        return hierarchy.commonSuperClass(type1, type2);
      }
    };
    reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
      @Override
      public void visit(int version, int access, String name, String signature, String superName,
          String[] interfaces) {
        super.visit(major, access, name, signature, superName, interfaces);
      }
    }, 0);
    return writer.toByteArray();
  }

  /**
   * Super classes read from the class files (the jar's own, else the JDK's), not by loading
   * classes: the frames need the common super class of two types, and loading the jar's classes
   * into this JVM would run nothing useful and could fail on a missing optional dependency.
   */
  private static final class Hierarchy {
    private final Map<String, byte[]> classes;
    private final Map<String, ClassReader> readers = new HashMap<>();

    Hierarchy(Map<String, byte[]> classes) {
      this.classes = classes;
    }

    String commonSuperClass(String type1, String type2) {
      // The verifier treats interfaces as Object, so Object is the exact answer for them.
      if (isInterface(type1) || isInterface(type2)) {
        return "java/lang/Object";
      }
      Set<String> supers1 = new HashSet<>();
      for (String type = type1; type != null; type = superName(type)) {
        supers1.add(type);
      }
      for (String type = type2; type != null; type = superName(type)) {
        if (supers1.contains(type)) {
          return type;
        }
      }
      return "java/lang/Object";
    }

    private boolean isInterface(String type) {
      return (reader(type).getAccess() & Opcodes.ACC_INTERFACE) != 0;
    }

    private String superName(String type) {
      return reader(type).getSuperName();
    }

    private ClassReader reader(String type) {
      return readers.computeIfAbsent(type, name -> {
        byte[] own = classes.get(name);
        if (own != null) {
          return new ClassReader(own);
        }
        try (InputStream jdk = ClassLoader.getSystemResourceAsStream(name + ".class")) {
          if (jdk == null) {
            throw new IllegalStateException("class " + name.replace('/', '.') + " is neither in the jar nor in the"
                + " JDK, so the stack map frames that need its super class cannot be computed");
          }
          return new ClassReader(jdk.readAllBytes());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
