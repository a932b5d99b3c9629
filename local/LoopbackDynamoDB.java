import java.lang.reflect.Field;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * DynamoDB Local, listening on 127.0.0.1 only.
 *
 * DynamoDBLocal.jar takes a port but no bind address: its Jetty server listens on every interface. This starts the
 * same server from the same command-line arguments (ServerRunner.createServerFromCommandLineArgs), and binds its
 * connector to loopback before it starts. local/services.py compiles it once next to the jar.
 */
public final class LoopbackDynamoDB {
    private LoopbackDynamoDB() {
    }

    public static void main(String[] args) throws Exception {
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Server server = (Server) field.get(proxy);
        for (Connector connector : server.getConnectors()) {
            ((ServerConnector) connector).setHost("127.0.0.1");
        }
        proxy.start();
    }
}
