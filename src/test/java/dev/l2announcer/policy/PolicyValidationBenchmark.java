package dev.l2announcer.policy;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Prints validation + matching time for a policy with 200 interface regexes incl. (a+)+$. */
@Tag("benchmark")
class PolicyValidationBenchmark {
    @Test
    void twoHundredRegexesAndAPathologicalOne() {
        List<String> regexes = new ArrayList<>();
        for (int i = 0; i < 199; i++) {
            regexes.add("^ens" + i + "f[0-9]+(\\.[0-9]+)?$");
        }
        regexes.add("(a+)+$");
        CiliumL2AnnouncementPolicy p = PolicyValidatorTest.policy(null, null, regexes);
        String hostile = "a".repeat(10_000) + "!";
        int runs = 41;
        long[] validate = new long[runs];
        long[] match = new long[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            ValidatedPolicy v = PolicyValidator.validate(p);
            long t1 = System.nanoTime();
            boolean m = v.matchesInterface(hostile);
            long t2 = System.nanoTime();
            if (m || !v.usable()) {
                throw new AssertionError("unexpected result");
            }
            validate[r] = t1 - t0;
            match[r] = t2 - t1;
        }
        Arrays.sort(validate);
        Arrays.sort(match);
        System.out.printf("policy validation, 200 regexes: median %.3f ms (max %.3f ms); "
                        + "matching a 10,001-char name against all 200 incl. (a+)+$: median %.3f ms (max %.3f ms)%n",
                validate[runs / 2] / 1e6, validate[runs - 1] / 1e6, match[runs / 2] / 1e6, match[runs - 1] / 1e6);
    }
}
