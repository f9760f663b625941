/**
 * StatsTracker and BufferingDetector at their boundaries: the event-type map's bound and eviction, the largest
 * gap, the "others" sum, bursts at exactly the thresholds. Each test names the Stryker mutants it kills
 * (`npm run test:mutation -- sse`).
 */
import assert from 'node:assert/strict';
import { BufferingDetector, likelyCauses } from '../../src/core/sse/buffering';
import { SHOWN_TYPES, StatsTracker, TRACKED_TYPES } from '../../src/core/sse/stats';

/** A tracker fed `count(i)` events of type `type-i` for each i < types, in order of i. */
function tracker(types: number, count: (i: number) => number = () => 1): StatsTracker {
  const stats = new StatsTracker();
  let t = 0;
  for (let i = 0; i < types; i++) {
    for (let n = count(i); n > 0; n--) stats.event(`type-${i}`, t++, false);
  }
  return stats;
}

describe('StatsTracker bounds (mutation-tested)', () => {
  // Kills: `gap > this.maxGapMs` replaced by `true` (the last gap kept as the largest), and the first event
  // counted as a gap (`this.lastEventMs !== null` replaced by `true`).
  it('keeps the largest gap, not the last one; the first event makes no gap', () => {
    const stats = new StatsTracker();
    stats.event('token', 50, true);
    assert.deepEqual(stats.snapshot().recentGapsMs, []);
    assert.equal(stats.snapshot().maxGapMs, 0);
    stats.event('token', 350, true);
    stats.event('token', 450.126, true);
    const s = stats.snapshot();
    assert.deepEqual(s.recentGapsMs, [300, 100.13]);
    assert.equal(s.maxGapMs, 300);
    // Kills: `this.tokens >= 2` turned into `> 2`: two tokens make one interval.
    const two = new StatsTracker();
    two.event('token', 0, true);
    two.event('token', 500, true);
    assert.equal(two.snapshot().tokensPerSecond, 2);
  });

  // Kills: `this.counts.size >= TRACKED_TYPES` turned into `>` (TRACKED_TYPES + 1 held) or `false` (the map grows
  // without bound), and `!this.counts.has(type)` dropped (a known type would evict too).
  it('holds at most TRACKED_TYPES types; a known type never evicts; the (TRACKED_TYPES + 1)th evicts half', () => {
    const stats = tracker(TRACKED_TYPES);
    assert.equal(stats.trackedTypes, TRACKED_TYPES);
    stats.event('type-0', TRACKED_TYPES, false);
    assert.equal(stats.trackedTypes, TRACKED_TYPES, 'a type already counted makes no room');
    assert.equal(stats.snapshot().otherEvents, TRACKED_TYPES + 1 - 2 - (SHOWN_TYPES - 1), 'nothing untracked yet');
    stats.event('new', TRACKED_TYPES + 1, false);
    assert.equal(stats.trackedTypes, TRACKED_TYPES / 2 + 1);
  });

  // Kills: the median's index (`Math.floor(sorted.length / 2)`), `n < median` / `n === median` passes swapped or
  // widened (evicting everything, or the frequent types), `toFree > 0` dropped, `Math.ceil` -> `Math.floor`.
  it('evicts the rarer half: every type rarer than the median, then the earliest seen among the median ones', () => {
    // 500 types seen once, 500 seen twice: the once-seen go.
    const mixed = tracker(TRACKED_TYPES, (i) => (i < TRACKED_TYPES / 2 ? 1 : 2));
    mixed.event('new', 1e6, false);
    assert.equal(mixed.trackedTypes, TRACKED_TYPES / 2 + 1);
    let s = mixed.snapshot();
    assert.equal(s.events, TRACKED_TYPES / 2 + TRACKED_TYPES + 1);
    assert.equal(Object.keys(s.countsByType).length, SHOWN_TYPES);
    assert.deepEqual(Object.entries(s.countsByType)[0], [`type-${TRACKED_TYPES / 2}`, 2], 'the most frequent, earliest first');
    assert.equal(s.otherEvents, s.events - 2 * SHOWN_TYPES, 'the evicted ones are counted as others');
    // All as frequent: the first half seen goes, the later half stays.
    const even = tracker(TRACKED_TYPES);
    even.event('new', 1e6, false);
    assert.equal(even.trackedTypes, TRACKED_TYPES / 2 + 1);
    s = even.snapshot();
    assert.deepEqual(Object.keys(s.countsByType).slice(0, 2), [`type-${TRACKED_TYPES / 2}`, `type-${TRACKED_TYPES / 2 + 1}`]);
    assert.equal(s.otherEvents, TRACKED_TYPES + 1 - SHOWN_TYPES);
    // An odd count: ceil(n / 2) go. 999 types seen once, 1 seen three times, then one more new type.
    const odd = new StatsTracker();
    for (let i = 0; i < 3; i++) odd.event('frequent', i, false);
    for (let i = 1; i < TRACKED_TYPES; i++) odd.event(`type-${i}`, 10 + i, false);
    odd.event('new', 1e6, false);
    assert.equal(odd.trackedTypes, TRACKED_TYPES / 2 + 1);
    assert.deepEqual(Object.entries(odd.snapshot().countsByType)[0], ['frequent', 3], 'the frequent type is kept');
    // Kills: the median taken from unsorted counts (the sort removed, or `a + b`), and `n < median` turned into
    // `n <= median`: 300 types seen twice (the median), then 400 seen once, then 300 seen three times. The 400
    // seen once go, then the first 100 seen twice.
    const staged = tracker(TRACKED_TYPES, (i) => (i < 300 ? 2 : i < 700 ? 1 : 3));
    staged.event('new', 1e6, false);
    assert.equal(staged.trackedTypes, TRACKED_TYPES / 2 + 1);
    const kept = staged.snapshot();
    assert.equal(kept.events, 300 * 2 + 400 + 300 * 3 + 1);
    assert.equal(kept.otherEvents, kept.events - SHOWN_TYPES * 3);
    staged.event('type-100', 1e6 + 1, false);
    assert.equal(staged.trackedTypes, TRACKED_TYPES / 2 + 1, 'type-100 (seen twice) was kept');
    staged.event('type-99', 1e6 + 2, false);
    assert.equal(staged.trackedTypes, TRACKED_TYPES / 2 + 2, 'type-99 (seen twice, earlier) was evicted');
  });

  // Kills: `this.counts.size <= SHOWN_TYPES` turned into `<`, `&& this.untrackedEvents === 0` into `||`, the
  // sort's direction, and the "others" sum (`sum + n` -> `sum - n`).
  it('lists every type up to SHOWN_TYPES; beyond, the most frequent and the rest summed as others', () => {
    const exactly = tracker(SHOWN_TYPES);
    assert.equal(Object.keys(exactly.snapshot().countsByType).length, SHOWN_TYPES);
    assert.equal(exactly.snapshot().otherEvents, undefined);
    const more = tracker(SHOWN_TYPES + 2, (i) => (i < 2 ? 1 : i + 1));
    const s = more.snapshot();
    assert.equal(Object.keys(s.countsByType).length, SHOWN_TYPES);
    assert.equal(Object.keys(s.countsByType)[0], `type-${SHOWN_TYPES + 1}`);
    assert.equal(s.countsByType['type-0'], undefined);
    assert.equal(s.otherEvents, 2);
  });

  // Kills: round() and roundOrNull() bypassed for the times (`Math.round(ms * 100) / 100`).
  it('rounds every time to 0.01 ms', () => {
    const stats = new StatsTracker();
    stats.headers(1.234);
    stats.chunk(3, 2.345);
    stats.event('token', 3.456, true);
    const s = stats.snapshot();
    assert.deepEqual([s.headersMs, s.firstByteMs, s.firstEventMs, s.firstTokenMs, s.lastEventMs], [1.23, 2.35, 3.46, 3.46, 3.46]);
  });
});

describe('BufferingDetector thresholds (mutation-tested)', () => {
  // Kills: `gap >= burstGapMs` turned into `>` (events exactly burstGapMs apart would form a burst).
  it('events exactly burstGapMs apart are not a burst', () => {
    const detector = new BufferingDetector(0);
    for (let i = 0; i < 30; i++) {
      assert.equal(detector.event(1000 + i * 5), undefined, `event ${i}`);
    }
    assert.equal(detector.result, null);
  });

  // Kills: `burstSilenceMs >= minSilenceMs` and `burstEvents >= minBurstEvents` turned into `>`; Math.round of
  // silenceMs and atMs removed.
  it('warns at exactly minBurstEvents after exactly minSilenceMs, with rounded times', () => {
    const warnings = [];
    const nearly = new BufferingDetector(0.5);
    for (let i = 0; i < 20; i++) {
      assert.equal(nearly.event(250.4 + i * 0.5), undefined, 'a silence of 249.9 ms is short enough');
    }
    const exact = new BufferingDetector(0.4);
    for (let i = 0; i < 10; i++) {
      const w = exact.event(250.4 + i * 0.5);
      if (w) warnings.push({ ...w, causes: w.causes.length });
    }
    assert.deepEqual(warnings, [{ burstEvents: 10, silenceMs: 250, atMs: 250, causes: 4 }]);
  });

  // Kills: `|| this.burstEvents === 0` dropped (the first event would join a burst that started at startMs).
  it('the first event starts a burst of its own, whatever its gap', () => {
    const detector = new BufferingDetector(0, [], { burstGapMs: 5, minBurstEvents: 3, minSilenceMs: 0 });
    detector.event(2);
    detector.event(3);
    const warning = detector.event(4);
    assert.deepEqual({ ...warning!, causes: [] }, { burstEvents: 3, silenceMs: 2, atMs: 2, causes: [] });
    // Kills: the final-size update limited to the warned burst removed (`warnedBurstStartMs === burstStartMs`).
    detector.event(5);
    detector.event(100);
    detector.event(101);
    detector.event(102);
    assert.equal(detector.result!.burstEvents, 4, 'a later burst does not change the first one\u2019s size');
  });

  // Kills: the header lookup's toLowerCase(), `includes('nginx')` on the lower-cased Server, the "a proxy"
  // fallback, and each cause order.
  it('reads headers case-insensitively and orders every cause list', () => {
    const first = (headers: [string, string][]) => likelyCauses(headers).map((cause) => cause.split(' ').slice(0, 3).join(' '));
    assert.deepEqual(first([['content-ENCODING', 'br']]), [
      'Response compression (Content-Encoding:',
      'A reverse proxy',
      'A blocked event',
      'A development proxy',
    ]);
    assert.deepEqual(first([['SERVER', 'NGINX']]), ['A reverse proxy', 'A blocked event', 'Response compression: GZipMiddleware', 'A development proxy']);
    assert.deepEqual(first([]), ['A blocked event', 'A reverse proxy', 'Response compression: GZipMiddleware', 'A development proxy']);
    assert.match(likelyCauses([['via', '1.1 cdn']])[0]!, /\(this one says Server: a proxy\)/);
    assert.match(likelyCauses([['Server', 'uvicorn']])[1]!, /^A reverse proxy buffering the response: nginx does/);
  });
});
