// In the fixture's package: it builds the fixture's package-private adapter and catalog context.
package org.apache.iceberg.rest;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.relocated.com.google.common.collect.Maps;
import org.apache.iceberg.util.PropertyUtil;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.gzip.GzipHandler;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

/**
 * Apache Iceberg's REST catalog test server (RESTCatalogServer, the apache/iceberg-rest-fixture
 * image) with two changes for the local lakehouse.
 *
 * <p>Requests that change the catalog are handled one at a time. The fixture checks a
 * transactions/commit request's requirements (assert-ref-snapshot-id) against the tables as loaded
 * when the request arrives, then commits each table through BaseTransaction, whose retry after a
 * concurrent change re-applies no updates: of two overlapping commits on the same base both answer
 * 200 and the later one is silently dropped (upstream calls that handler "very simplistic", without
 * "true transactional atomicity"). One mutation at a time makes check and commit atomic, so the
 * later writer gets the 409 CommitFailedException a production catalog returns.
 *
 * <p>After a commit it maintains the tables the commit changed, as S3 Tables' maintenance would:
 * see TableMaintenance and its maintenance.* properties (CATALOG_MAINTENANCE_MAX__DATA__MANIFESTS
 * and the like; 0 turns a step off).
 *
 * <p>It listens on rest.host (CATALOG_REST_HOST), 127.0.0.1 unless set, instead of every interface.
 */
public final class LocalRestCatalog {
  private LocalRestCatalog() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> properties = Maps.newHashMap(RCKUtils.environmentCatalogConfig());
    properties.putIfAbsent(CatalogProperties.CATALOG_IMPL, JdbcCatalog.class.getName());
    properties.putIfAbsent("jdbc.schema-version", "V1");
    if (properties.get(CatalogProperties.WAREHOUSE_LOCATION) == null
        || properties.get(CatalogProperties.URI) == null) {
      throw new IllegalArgumentException(
          "set CATALOG_WAREHOUSE and CATALOG_URI: the local catalog keeps no temporary state");
    }
    Catalog catalog =
        CatalogUtil.buildIcebergCatalog("rest_backend", properties, new Configuration());
    RESTCatalogAdapter adapter =
        new RESTServerCatalogAdapter(new RESTCatalogServer.CatalogContext(catalog, properties));

    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    TableMaintenance maintenance =
        new TableMaintenance(
            catalog,
            new TableMaintenance.Limits(
                PropertyUtil.propertyAsInt(properties, "maintenance.max-data-manifests", 16),
                PropertyUtil.propertyAsInt(properties, "maintenance.max-delete-files", 8),
                PropertyUtil.propertyAsInt(properties, "maintenance.max-small-files", 16),
                PropertyUtil.propertyAsLong(properties, "maintenance.small-file-bytes", 8L << 20),
                PropertyUtil.propertyAsLong(properties, "maintenance.compact-bytes", 512L << 20)));
    context.addServlet(new ServletHolder(new OneChangeAtATime(adapter, maintenance)), "/*");
    context.insertHandler(new GzipHandler());

    String host = properties.getOrDefault("rest.host", "127.0.0.1");
    int port = PropertyUtil.propertyAsInt(properties, RESTCatalogServer.REST_PORT, 8181);
    Server server = new Server(new InetSocketAddress(host, port));
    server.setHandler(context);
    server.start();
    server.join();
  }

  /**
   * Serialises POST (create, commit) and DELETE (drop); reads stay concurrent. A commit's table
   * maintenance runs inside the same turn, so no other change sees the table in between.
   */
  private static final class OneChangeAtATime extends RESTCatalogServlet {
    private final Object changeLock = new Object();
    private final TableMaintenance maintenance;

    OneChangeAtATime(RESTCatalogAdapter adapter, TableMaintenance maintenance) {
      super(adapter);
      this.maintenance = maintenance;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      synchronized (changeLock) {
        if (!maintenance.enabled()) {
          super.doPost(request, response);
          return;
        }
        byte[] body = request.getInputStream().readAllBytes();
        super.doPost(new ReplayedBody(request, body), response);
        if (response.getStatus() < 300) {
          maintenance.afterCommit(request.getRequestURI(), body);
        }
      }
    }

    @Override
    protected void doDelete(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      synchronized (changeLock) {
        super.doDelete(request, response);
      }
    }
  }

  /** A request whose body, already read once, is served again from memory. */
  private static final class ReplayedBody extends HttpServletRequestWrapper {
    private final byte[] body;

    ReplayedBody(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream bytes = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return bytes.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
          return bytes.read(buffer, offset, length);
        }

        @Override
        public boolean isFinished() {
          return bytes.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("synchronous reads only");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
    }
  }
}
