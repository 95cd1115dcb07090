import { metricNames } from './promql-names';

describe('metricNames', () => {
  it.each([
    ['up == 0', ['up']],
    ['sum by (job) (up{job=~"ingest|api"}) == 0 or label_replace(absent(up{job="api"}), "job", "api", "", "")', ['up']],
    ['histogram_quantile(0.99, sum by (le, consumer) (rate(feed_consumer_batch_duration_seconds_bucket[5m]))) > 1', ['feed_consumer_batch_duration_seconds_bucket']],
    ['100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) > 80', ['node_memory_MemAvailable_bytes', 'node_memory_MemTotal_bytes']],
    ['max by (consumer) (feed_consumer_pending_messages) > 1000 and max by (consumer) (deriv(feed_consumer_pending_messages[10m])) > 0', ['feed_consumer_pending_messages']],
    ['sum by (venue) (rate(feed_ingest_frames_total{venue=~"$venue"}[$__rate_interval]))', ['feed_ingest_frames_total']],
    ['sum(rate(a_total[5m] offset 1h)) / ignoring(x) group_left(y) b', ['a_total', 'b']],
    ['1e6 * feed_x_seconds_sum / 2', ['feed_x_seconds_sum']],
  ])('%s', (expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });
});
