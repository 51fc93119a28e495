// Wiring of the server: config, web (not ready yet), TSDB open and WAL replay, engine, then
// ready; reloaders run in a fixed order for SIGHUP and /-/reload. No parsing or handlers here.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Registry } from "../client/registry.js";
import { collectDefaultMetrics } from "../client/default-metrics.js";
import { loadConfigFile, parseConfig } from "../config/load.js";
import type { Config } from "../config/types.js";
import { loadTLSFiles, loadWebConfigFile, type TLSFiles, type WebConfig } from "../config/web-config.js";
import { Logger, type LogFields } from "../log/logger.js";
import { Engine } from "../promql/engine.js";
import { parseExpr, parseMetricSelector } from "../promql/parser/parse.js";
import { formatExpr } from "../promql/parser/format.js";
import type { Querier, Queryable } from "../storage/interface.js";
import { openDB, type DB } from "../tsdb/db.js";
import type { WALReplayStatus } from "../tsdb/head-wal.js";
import { ApiError } from "../web/api-error.js";
import { WebServer, splitHostPort } from "../web/server.js";
import type { ServerState, TargetSource, TSDBAdmin } from "../web/sources.js";
import { DiscoveryManager } from "../discovery/manager.js";
import { registerDiscoveryMetrics } from "./discovery-metrics.js";
import { ScrapeManager } from "../scrape/manager.js";
import { scrapeDiscoverers, scrapeJobs } from "./scrape-wiring.js";
import { handleRemoteWrite } from "../remote/write-handler.js";
import { handleOtlpMetrics } from "../otlp/handler.js";
import { handleRemoteRead } from "../remote/read-handler.js";
import { RemoteStorage } from "../remote/storage.js";
import { ReceivedMetadata, SeriesMetadataIndex } from "../remote/metadata.js";
import { Fanout } from "../storage/fanout.js";
import { Notifier } from "../notifier/notifier.js";
import { RuleManager } from "../rules/manager.js";
import { enabledFeatures } from "./features.js";
import { buildInfo } from "./build-info.js";
import { configAutoReloader } from "./config-auto-reload.js";
import { flagNotices, parseFlags, type ParsedFlags } from "./flags.js";
import { runGroup, waitingActor, type Actor } from "./run-group.js";
import { QueryLog } from "./query-log.js";
import {
  CallbackCollector, instrumentEngine, notifierFamilies, registerServerMetrics, remoteFamilies, ruleCounterFamilies, ruleFamilies,
  scrapeHooks, scrapeManagerFamilies, TSDBCollector,
} from "./self-metrics.js";
import { settingsFromFlags, type ServerSettings } from "./settings.js";

export interface StartServerOptions {
  /** Command-line arguments, without node and the script. */
  readonly args: readonly string[];
  /** Log sink; stderr by default. */
  readonly logWrite?: (line: string) => void;
}

export interface RunningServer {
  /** The bound port (the listen address may ask for 0). */
  readonly port: number;
  readonly settings: ServerSettings;
  readonly logger: Logger;
  /** Settles when every part has stopped; rejects with the error that stopped the server. */
  readonly done: Promise<void>;
  /** Runs the reloaders; rejects (keeping the old config) when the new one is bad. */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

interface Reloader {
  readonly name: string;
  apply(cfg: Config): Promise<void> | void;
}

/** The built-in config used when no config file exists: promwasm scraping itself every 15s. */
export function embeddedConfig(settings: ServerSettings, port: number): Config {
  const { host } = splitHostPort(settings.listenAddress);
  const target = `${host === "" || host === "0.0.0.0" || host === "::" ? "localhost" : host}:${port}`;
  const text = [
    "# Built-in configuration (no config file found): promwasm scrapes itself.",
    "global:",
    "  scrape_interval: 15s",
    "  evaluation_interval: 15s",
    "scrape_configs:",
    "  - job_name: promwasm",
    `    metrics_path: ${settings.routePrefix}/metrics`,
    "    static_configs:",
    `      - targets: ["${target}"]`,
    "",
  ].join("\n");
  return parseConfig(text, { file: "", baseDir: process.cwd() });
}

export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const flags: ParsedFlags = parseFlags(opts.args);
  const settings = settingsFromFlags(flags);
  const logger = new Logger({ level: settings.logLevel, format: settings.logFormat, write: opts.logWrite });
  const startTimeMs = Date.now();
  const build = buildInfo();
  logger.info("Starting promwasm", { version: build.version, revision: build.revision, node: process.versions.node });
  for (const n of flagNotices(flags)) logger.warn(n.msg, { flag: n.flag });

  const useEmbedded = !settings.configFileExplicit && !existsSync(settings.configFile);
  const loadConfig = async (port: number): Promise<Config> =>
    useEmbedded ? embeddedConfig(settings, port) : loadConfigFile(settings.configFile);

  let webConfig: WebConfig | undefined;
  let tls: TLSFiles | undefined;
  if (settings.webConfigFile !== "") {
    webConfig = await loadWebConfigFile(settings.webConfigFile);
    if (webConfig.tlsServerConfig) tls = await loadTLSFiles(webConfig.tlsServerConfig);
  }

  const registry = new Registry();
  const defaults = collectDefaultMetrics({ registry });
  const serverMetrics = registerServerMetrics(registry, build);
  let db: DB | undefined;
  // Scrapes, rules and remote write append through the fanout (the TSDB plus remote storage).
  let fanout: Fanout | undefined;
  // Created once the TSDB is open (scrapes need somewhere to append).
  let scrape: ScrapeManager | undefined;
  // Remote write 2.0 carries metadata: what senders send is listed by /api/v1/metadata, and
  // what is scraped here goes out with the series of 2.0 queues.
  const receivedMetadata = new ReceivedMetadata();
  const scrapedMetadata = new SeriesMetadataIndex(() => scrape?.metadata() ?? []);
  const remote = new RemoteStorage({
    metadata: (labels) => scrapedMetadata.lookup(labels),
    logger,
    flushDeadlineMs: settings.remoteFlushDeadlineMs,
    // Queues tail the TSDB's WAL, as Prometheus does, so a slow or down receiver
    // backs up on disk instead of in memory and nothing committed is dropped.
    walDir: join(resolve(settings.tsdbPath), "wal"),
    // As Prometheus: local data is complete from the oldest block plus two block ranges on.
    localStartTime: () => {
      const t = db?.startTime();
      return t === undefined ? undefined : t + 2 * settings.minBlockDurationMs;
    },
  });
  registry.register(new TSDBCollector(() => db?.metrics()));
  // Filled in by the TSDB while it replays the WAL, which /api/v1/status/walreplay shows meanwhile.
  const replayStatus: WALReplayStatus = { min: 0, max: 0, current: 0 };

  // The config is loaded before anything starts, so a bad file fails startup at once.
  const listenPort = splitHostPort(settings.listenAddress).port;
  let config: Config;
  try {
    config = await loadConfig(listenPort);
  } catch (cause) {
    throw new Error(`couldn't load configuration (--config.file=${JSON.stringify(settings.configFile)})`, { cause });
  }
  let ready = false;
  let lastReload = { success: true, timeMs: Date.now() };
  serverMetrics.reloadSuccess.set(1);
  serverMetrics.reloadTimestamp.set(lastReload.timeMs / 1000);

  const features = enabledFeatures(flags.values["enable-feature"] ?? "", logger);
  const engine = new Engine({
    delayedNameRemoval: features.delayedNameRemoval,
    parseOptions: features.parseOptions,
    lookbackDeltaMs: settings.lookbackDeltaMs,
    timeoutMs: settings.queryTimeoutMs,
    maxSamples: settings.queryMaxSamples,
    maxConcurrency: settings.queryMaxConcurrency,
    activeQueryTrackerDir: settings.tsdbPath,
    logger: logger.with({ component: "query engine" }),
  });

  // Queries from the API and from rules share one instrumented engine, as in Prometheus.
  const queryEngine = instrumentEngine(engine, registry, settings.queryMaxConcurrency);

  const storage: Queryable = {
    querier: (mint: number, maxt: number): Promise<Querier> => {
      if (!fanout) throw new ApiError("unavailable", "TSDB not ready");
      return fanout.querier(mint, maxt);
    },
  };
  const tsdbAdmin: TSDBAdmin = {
    dir: resolve(settings.tsdbPath),
    stats: (limit) => openDb().stats(limit),
    walReplayStatus: () => ({ ...replayStatus }),
    deleteSeries: (ms, mint, maxt) => openDb().deleteSeries(ms, mint, maxt),
    cleanTombstones: () => openDb().cleanTombstones(),
    snapshot: (dir, withHead) => openDb().snapshot(dir, withHead),
  };
  function openDb(): DB {
    if (!db) throw new ApiError("unavailable", "TSDB not ready");
    return db;
  }

  let quit: () => void = () => {};
  const quitRequested = new Promise<void>((r) => (quit = r));

  let discovery: DiscoveryManager | undefined;
  let rules: RuleManager | undefined;
  const discoveryMetrics = registerDiscoveryMetrics(registry);
  const notifier = new Notifier({
    logger: logger.with({ component: "notifier" }),
    queueCapacity: settings.notificationQueueCapacity,
    discoveryHooks: discoveryMetrics.manager("notify"),
    providerMetrics: discoveryMetrics.providers,
  });
  registry.register(
    new CallbackCollector(() => [
      ...notifierFamilies(notifier),
      ...remoteFamilies(remote.writeMetrics()),
      ...ruleFamilies(rules?.groups() ?? []),
      ...ruleCounterFamilies(rules?.ruleGroupList() ?? []),
      ...scrapeManagerFamilies(scrape),
    ]),
  );
  const scrapeMetricHooks = scrapeHooks(registry);
  const targets: TargetSource = {
    targets: () => scrape?.targets() ?? [],
    droppedTargets: () => scrape?.droppedTargets() ?? [],
    metadata: () => [...(scrape?.metadata() ?? []), ...receivedMetadata.list()],
  };

  // Prometheus' order: scrape before discovery, so that new targets find their pools.
  // The web handler reads the current config on each request.
  const queryLog = new QueryLog({ logger });
  const reloaders: Reloader[] = [
    { name: "remote_storage", apply: (cfg) => remote.applyConfig(cfg.remoteWriteConfigs, cfg.remoteReadConfigs, cfg.global.externalLabels) },
    { name: "query_engine", apply: (cfg) => queryLog.setPath(cfg.global.queryLogFile) },
    { name: "scrape", apply: (cfg) => scrape?.applyConfig(scrapeJobs(cfg)) },
    { name: "scrape_sd", apply: (cfg) => discovery?.applyConfig(scrapeDiscoverers(cfg, logger.with({ component: "discovery" }), { metrics: discoveryMetrics.providers })) },
    // Alerting relabeling, external labels and Alertmanager discovery in one step.
    { name: "notify", apply: (cfg) => notifier.applyConfig(cfg.alerting, cfg.global.externalLabels) },
    { name: "rules", apply: (cfg) => rules?.update(cfg.global.evaluationIntervalMs, cfg.ruleFiles, cfg.global.externalLabels) },
  ];

  let port = 0;
  const reload = async (): Promise<void> => {
    const started = Date.now();
    let next: Config;
    try {
      try {
        next = await loadConfig(port);
      } catch (cause) {
        throw new Error(`couldn't load configuration (--config.file=${JSON.stringify(settings.configFile)})`, { cause });
      }
      for (const r of reloaders) {
        try {
          await r.apply(next);
        } catch (cause) {
          throw new Error(`reload ${r.name}`, { cause });
        }
      }
    } catch (err) {
      serverMetrics.reloadSuccess.set(0);
      lastReload = { success: false, timeMs: lastReload.timeMs };
      logger.error("Error reloading config", { err });
      throw err;
    }
    config = next;
    lastReload = { success: true, timeMs: Date.now() };
    serverMetrics.reloadSuccess.set(1);
    serverMetrics.reloadTimestamp.set(lastReload.timeMs / 1000);
    logger.info("Completed loading of configuration file", { filename: settings.configFile, totalDuration: `${Date.now() - started}ms` });
  };

  const state: ServerState = {
    config: () => config,
    flags: () => flags.values,
    ready: () => ready,
    startTimeMs,
    lastReload: () => lastReload,
    storageRetention: settings.storageRetention,
    reload,
    quit: () => quit(),
  };

  const web = new WebServer({
    listenAddress: settings.listenAddress,
    routePrefix: settings.routePrefix === "" ? "/" : settings.routePrefix,
    webConfig,
    tls,
    enableLifecycle: settings.enableLifecycle,
    enableAdminApi: settings.enableAdminApi,
    corsOrigin: settings.corsOrigin,
    maxConnections: settings.maxConnections,
    readTimeoutMs: settings.readTimeoutMs,
    queryable: storage,
    engine: queryEngine,
    parser: { parseExpr: (q) => parseExpr(q, features.parseOptions), formatExpr, parseMetricSelector },
    lookbackDeltaMs: settings.lookbackDeltaMs,
    externalLabels: () => config.global.externalLabels,
    state,
    buildInfo: build,
    tsdb: tsdbAdmin,
    chunks: { seriesChunks: (ms, mint, maxt) => openDb().seriesChunks(ms, mint, maxt) },
    targets,
    rules: { ruleGroups: () => rules?.ruleGroups() ?? [], alerts: () => rules?.alerts() ?? [] },
    alertmanagers: { active: () => notifier.alertmanagers().active, dropped: () => notifier.alertmanagers().dropped },
    queryLog: (e) => queryLog.write(e),
    remoteRead: async (body, headers) => {
      if (!db) return { status: 503, headers: {}, body: Buffer.from("TSDB not ready\n") };
      // Remote read serves local data only, as Prometheus does.
      return handleRemoteRead(body, headers, db, config.global.externalLabels, {
        sampleLimit: settings.remoteReadSampleLimit,
        maxBytesInFrame: settings.remoteReadMaxBytesInFrame,
        chunks: db,
      });
    },
    remoteWrite: settings.enableRemoteWriteReceiver
      ? async (body, headers) =>
          fanout ? handleRemoteWrite(body, headers, fanout, {
              acceptedMessages: settings.remoteWriteAcceptedMessages,
              onMetadata: (labels, md) => receivedMetadata.record(labels, md),
            }) : { status: 503, message: "TSDB not ready" }
      : undefined,
    otlpWrite:
      settings.enableOtlpReceiver || features.otlpWriteReceiver
        ? async (body, headers) =>
            fanout
              ? handleOtlpMetrics(body, headers, fanout, {
                  config: () => config.otlp,
                  lookbackDeltaMs: settings.lookbackDeltaMs,
                  allowDelta: features.otlpNativeDeltaIngestion,
                  logger: logger.with({ component: "otlp" }),
                })
              : { status: 503, headers: {}, body: Buffer.from("TSDB not ready\n") }
        : undefined,
    registry,
    logger: logger.with({ component: "web" }),
  });
  try {
    port = await web.listen();
  } catch (err) {
    engine.close();
    defaults.close();
    await notifier.stop(0);
    await remote.close();
    throw err;
  }
  if (useEmbedded) config = await loadConfig(port);
  const where: LogFields = { address: settings.listenAddress, port };
  logger.info("Listening on", where);
  if (useEmbedded) {
    logger.info("No config file found; using the built-in config that scrapes promwasm itself every 15s", { looked_for: settings.configFile });
  } else {
    logger.info("Loaded configuration file", { filename: settings.configFile });
  }
  const base = `${tls ? "https" : "http"}://localhost:${port}${settings.routePrefix}`;
  logger.info(`Open ${base}/api/v1/query?query=up in a browser, or run: promtool query instant ${base} up`);

  const rulesActor: Actor = waitingActor("rule manager", async () => {
    await rules?.stop();
    await notifier.stop();
  });
  const scrapeActor: Actor = waitingActor("scrape manager", async () => {
    await discovery?.stop();
    await scrape?.stop();
  });
  const dbActor: Actor = waitingActor("tsdb", async () => {
    ready = false;
    serverMetrics.ready.set(0);
    engine.close();
    await queryLog.close();
    // Remote queues flush (up to --storage.remote.flush-deadline) before the TSDB closes.
    await remote.close();
    await db?.close();
  });
  const webActor: Actor = waitingActor("web", () => web.close());
  const quitActor: Actor = { name: "quit", run: () => quitRequested, stop: () => quit() };
  // Stopped in reverse: quit, web, rules (then the notifier drains), scrape (and discovery), the TSDB last.
  const actors: Actor[] = [dbActor, scrapeActor, rulesActor, webActor, quitActor];
  if (settings.autoReload && !useEmbedded) {
    actors.push(configAutoReloader({ configFile: settings.configFile, intervalMs: settings.autoReloadIntervalMs, ruleFiles: () => config.ruleFiles, reload, logger }));
  }

  const done = (async () => {
    const open = (async () => {
      logger.info("Starting TSDB ...", { path: settings.tsdbPath });
      db = await openDB(settings.tsdbPath, {
        retentionTimeMs: settings.retentionTimeMs,
        retentionSizeBytes: settings.retentionSizeBytes,
        minBlockDurationMs: settings.minBlockDurationMs,
        maxBlockDurationMs: settings.maxBlockDurationMs,
        walCompression: settings.walCompression,
        outOfOrderTimeWindowMs: config.storage.tsdb.outOfOrderTimeWindowMs,
        logger: logger.with({ component: "tsdb" }),
        replayStatus,
      });
      db.start();
      logger.info("TSDB started");
      // Remote write tails the WAL, so remote storage only joins queries (remote read).
      fanout = new Fanout({ primary: db, queryables: [remote], logger });
      scrape = new ScrapeManager({ appendable: fanout, logger, hooks: scrapeMetricHooks });
      discovery = new DiscoveryManager({ logger, hooks: discoveryMetrics.manager("scrape") });
      const scrapeManager = scrape;
      discovery.subscribe((update) => scrapeManager.syncAll(update));
      rules = new RuleManager({
        engine: queryEngine,
        queryable: fanout,
        appendable: fanout,
        notify: (alerts) => notifier.send(alerts),
        externalLabels: config.global.externalLabels,
        // Without its trailing slash, as Prometheus keeps it, so that externalURL + "/graph?g0.expr=…" (generator URLs, graphLink) has one slash.
        externalUrl: settings.externalUrl.href.replace(/\/+$/, ""),
        logger,
        resendDelayMs: settings.ruleResendDelayMs,
        outageToleranceMs: settings.ruleOutageToleranceMs,
        forGracePeriodMs: settings.ruleForGracePeriodMs,
        parseOptions: features.parseOptions,
      });
      for (const r of reloaders) await r.apply(config);
      ready = true;
      serverMetrics.ready.set(1);
      logger.info("Server is ready to receive web requests.");
    })();
    const group = runGroup(actors, logger);
    try {
      await open;
    } catch (err) {
      logger.error("Opening storage failed", { err });
      await dbActor.stop();
      await group.catch(() => {});
      throw new Error("open storage", { cause: err });
    }
    await group;
    defaults.close();
    logger.info("See you next time!");
  })();

  return {
    port,
    settings,
    logger,
    done,
    reload,
    stop: async () => {
      quit();
      await done.catch(() => {});
    },
  };
}

