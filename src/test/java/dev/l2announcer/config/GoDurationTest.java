package dev.l2announcer.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Cases from Go's time.ParseDuration tests (src/time/time_test.go) and Duration.String. */
class GoDurationTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0|0", "5s|5000000000", "30s|30000000000", "1478s|1478000000000", "-5s|-5000000000", "+5s|5000000000",
            "-0|0", "+0|0", "5.0s|5000000000", "5.6s|5600000000", "5.s|5000000000", ".5s|500000000",
            "1.0s|1000000000", "1.00s|1000000000", "1.004s|1004000000", "100.00100s|100001000000",
            "10ns|10", "11us|11000", "12\u00b5s|12000", "12\u03bcs|12000", "13ms|13000000", "14s|14000000000",
            "15m|900000000000", "16h|57600000000000", "3h30m|12600000000000", "10.5s4m|250500000000",
            "-2m3.4s|-123400000000", "1h2m3s4ms5us6ns|3723004005006", "39h9m14.425s|140954425000000",
            "52763797000ns|52763797000", "0.3333333333333333333h|1200000000000",
            "9223372036854775807ns|9223372036854775807", "-9223372036854775808ns|-9223372036854775808",
            "200ms|200000000", "1m30s|90000000000", "1.5h|5400000000000"})
    void parsesLikeGo(String text, long nanos) {
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|time: invalid duration \"\"", "3|time: missing unit in duration \"3\"",
            "-|time: invalid duration \"-\"", "s|time: invalid duration \"s\"", ".|time: invalid duration \".\"",
            "-.|time: invalid duration \"-.\"", ".s|time: invalid duration \".s\"", "+.s|time: invalid duration \"+.s\"",
            "1d|time: unknown unit \"d\" in duration \"1d\"", "15 s|time: unknown unit \" s\" in duration \"15 s\"",
            "9223372036854775808ns|time: invalid duration \"9223372036854775808ns\"",
            "3000000h|time: invalid duration \"3000000h\""})
    void rejectsLikeGo(String text, String message) {
        assertThatThrownBy(() -> GoDuration.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0|0s", "1|1ns", "1100|1.1\u00b5s", "2200000|2.2ms", "3300000000|3.3s", "240000000000|4m0s",
            "300000000000|5m0s", "4980000000000|1h23m0s", "5000000000|5s", "15000000000|15s", "200000000|200ms",
            "90000000000|1m30s", "-5000000000|-5s", "7200000000000|2h0m0s", "2400000000|2.4s"})
    void formatsLikeGo(long nanos, String text) {
        assertThat(GoDuration.format(Duration.ofNanos(nanos))).isEqualTo(text);
    }
}
