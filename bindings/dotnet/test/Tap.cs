// A self-contained test runner for Mono (Debian has no NUnit console for it): named cases,
// assertions, TAP output ("1..N", then "ok N - name" or "not ok N - name" with "# " details).
using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace MedSign.Tests
{
    sealed class Tap
    {
        readonly List<KeyValuePair<string, Action>> cases = new List<KeyValuePair<string, Action>>();

        public void Case(string name, Action body)
        {
            cases.Add(new KeyValuePair<string, Action>(name, body));
        }

        /// <summary>Runs every case in order; the number of failures.</summary>
        public int Run()
        {
            Console.WriteLine("1.." + cases.Count);
            int failed = 0;
            for (int i = 0; i < cases.Count; i++)
            {
                var c = cases[i];
                try
                {
                    c.Value();
                    Console.WriteLine("ok " + (i + 1) + " - " + c.Key);
                }
                catch (Exception e)
                {
                    failed++;
                    Console.WriteLine("not ok " + (i + 1) + " - " + c.Key);
                    foreach (var line in e.ToString().Split('\n')) Console.WriteLine("# " + line.TrimEnd('\r'));
                }
            }
            return failed;
        }

        /// <summary>A value for the vitest wrapper: "# key value".</summary>
        public static void Value(string key, string value)
        {
            Console.WriteLine("# " + key + " " + value);
        }
    }

    sealed class AssertionException : Exception
    {
        public AssertionException(string message) : base(message) { }
    }

    static class Assert
    {
        public static void True(bool condition, string what)
        {
            if (!condition) throw new AssertionException("expected: " + what);
        }

        public static void Equal<T>(T expected, T actual, string what)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
                throw new AssertionException(what + ": expected <" + expected + ">, got <" + actual + ">");
        }

        public static void Bytes(byte[] expected, byte[] actual, string what)
        {
            True(expected != null && actual != null, what + ": not null");
            Equal(expected.Length, actual.Length, what + " length");
            for (int i = 0; i < expected.Length; i++)
                if (expected[i] != actual[i]) throw new AssertionException(what + ": differs at byte " + i);
        }

        public static void Matches(string pattern, string actual, string what)
        {
            if (actual == null || !Regex.IsMatch(actual, pattern)) throw new AssertionException(what + ": <" + actual + "> does not match /" + pattern + "/");
        }

        public static T Throws<T>(Action body, string what) where T : Exception
        {
            try
            {
                body();
            }
            catch (T e)
            {
                return e;
            }
            catch (Exception e)
            {
                throw new AssertionException(what + ": expected " + typeof(T).Name + ", got " + e.GetType().Name + ": " + e.Message);
            }
            throw new AssertionException(what + ": expected " + typeof(T).Name + ", nothing was thrown");
        }
    }
}
