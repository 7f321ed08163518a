// Helm lint and template through helm-java (Helm 3's Go code as a native library, via JNA), for
// machines without a helm binary. Run by deploy/k8s/tools/helm.sh as a single-file Java program:
//
//   java -cp '<helm-java jars>/*' HelmRender.java lint <chart> [--strict]
//   java -cp '<helm-java jars>/*' HelmRender.java template <chart> [--name N] [--namespace NS]
//        [--kube-version V] [-f values.yaml]... [--set key=value]...
//
// template writes the rendered manifests to stdout; lint prints Helm's messages. Exit 1 on failure.
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;

public class HelmRender {
  public static void main(String[] args) {
    if (args.length < 2) usage();
    Path chart = Path.of(args[1]).toAbsolutePath().normalize();
    try {
      switch (args[0]) {
        case "lint" -> {
          LintCommand lint = new Helm(chart).lint();
          for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--strict")) lint = lint.strict();
            else usage();
          }
          LintResult result = lint.call();
          result.getMessages().forEach(System.out::println);
          if (result.isFailed()) {
            System.err.println("helm lint: FAILED");
            System.exit(1);
          }
          System.err.println("helm lint: ok");
        }
        case "template" -> {
          // helm-java's client-only default is Kubernetes 1.20; the chart needs >= 1.25.
          TemplateCommand template = new Helm(chart).template().withName("portico").withKubeVersion("1.30.0");
          for (int i = 2; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) usage();
            String v = args[++i];
            switch (a) {
              case "--name" -> template = template.withName(v);
              case "--namespace" -> template = template.withNamespace(v);
              case "--kube-version" -> template = template.withKubeVersion(v);
              case "-f", "--values" -> template = template.withValuesFile(Path.of(v).toAbsolutePath());
              case "--set" -> {
                int eq = v.indexOf('=');
                if (eq < 1) usage();
                template = template.set(v.substring(0, eq), v.substring(eq + 1));
              }
              default -> usage();
            }
          }
          System.out.print(template.call());
        }
        default -> usage();
      }
    } catch (RuntimeException e) {
      System.err.println("helm " + args[0] + ": " + e.getMessage());
      System.exit(1);
    }
  }

  private static void usage() {
    System.err.println("usage: HelmRender lint <chart> [--strict] | template <chart> [--name N] [--namespace NS] [--kube-version V] [-f values.yaml]... [--set key=value]...");
    System.exit(2);
  }
}
