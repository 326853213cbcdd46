import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Starts an embedded Neo4j community DBMS with its Bolt connector, for tests.
 *
 * <pre>java [jvm flags] -cp "target/classes:target/lib/*" Launcher --home DIR
 *      [--host 127.0.0.1] [--port 7687] [--password PW] [--pagecache-mb 256] [--ready-file FILE]
 *      [--conf neo4j.conf]</pre>
 *
 * --conf loads settings from a neo4j.conf-style file first (the flags above win over it).
 * With --password, auth is on and the neo4j user's password is set (at least 8 characters).
 * The ready file is written (holding the Bolt URI) only after a query on the neo4j database succeeded.
 * SIGTERM/SIGINT shut the DBMS down cleanly.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = parse(argv);
        Path home = Path.of(args.getOrDefault("home", "target/neo4j-home")).toAbsolutePath();
        String host = args.getOrDefault("host", "127.0.0.1");
        int port = Integer.parseInt(args.getOrDefault("port", "7687"));
        String password = args.get("password");
        long pageCacheMb = Long.parseLong(args.getOrDefault("pagecache-mb", "256"));

        long started = System.nanoTime();
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home);
        if (args.containsKey("conf")) {
            builder.loadPropertiesFromFile(Path.of(args.get("conf")));
        }
        DatabaseManagementService dbms = builder
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, password != null)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(5))
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                dbms.shutdown();
            } finally {
                stopped.countDown();
            }
        }, "neo4j-shutdown"));

        if (password != null) {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        }
        dbms.database("neo4j").executeTransactionally("RETURN 1");
        String uri = "bolt://" + host + ":" + port;
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("NEO4J_READY " + uri + " in " + millis + " ms");
        if (args.containsKey("ready-file")) {
            Files.writeString(Path.of(args.get("ready-file")), uri + "\n");
        }
        stopped.await();
    }

    private static Map<String, String> parse(String[] argv) {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        return args;
    }
}
