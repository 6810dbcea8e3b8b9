#!/usr/bin/env python3
"""Composes drive_thames_2026-03-14.nmea: a 1 Hz NMEA 0183 log of a car drive, as a u-blox
receiver in GPS-only mode writes it (GPRMC, GPGGA, GPGSA per epoch).

Why composed: no recorded drive log with a known licence is at hand, and the tests need a
track whose geometry matches a synthetic scene (a transmitter at a known position). The route,
speeds and receiver error are chosen to look like a real drive: a road along the river in
central London driven east at 30-45 km/h with a stop at a junction, a left turn north, GPS
horizontal error as a slowly wandering offset of ~2 m (first-order Gauss-Markov, 30 s time
constant) plus 0.5 m white noise, HDOP 0.8-1.4 with 8-11 satellites, altitude ~12 m.
The sentence layouts follow NMEA 0183 v4.10 (RMC, GGA, GSA) and every checksum is the XOR of
the characters between '$' and '*'. gpsd 3.22 (gpsfake) decodes this file; the tests compare
its fixes with ours. Deterministic: same output every run (seed 2026).

Run: python3 compose_drive.py > drive_thames_2026-03-14.nmea
"""
import math
import random
import sys

random.seed(2026)
R = 6371008.8
START = (51.50700, -0.12300)  # lat, lon of the start (Victoria Embankment, London)
T0 = 10 * 3600  # 10:00:00 UTC on 2026-03-14
DATE = "140326"

# (duration s, speed at the end m/s, heading deg): a piecewise plan, speed ramps linearly.
PLAN = [
    (8, 10.0, 90.0),    # pull away east
    (60, 12.5, 90.0),   # cruise east along the river
    (10, 0.0, 90.0),    # brake for the junction
    (6, 0.0, 90.0),     # stopped at the lights
    (8, 6.0, 45.0),     # turn left, heading north-east
    (6, 9.0, 0.0),      # now north
    (50, 11.0, 0.0),    # cruise north
    (12, 0.0, 0.0),     # slow to a stop
]


def nmea(body):
    c = 0
    for ch in body:
        c ^= ord(ch)
    return "$%s*%02X" % (body, c)


def dm(value, is_lat):
    hemi = ("N" if value >= 0 else "S") if is_lat else ("E" if value >= 0 else "W")
    v = abs(value)
    deg = int(v)
    minutes = (v - deg) * 60.0
    if is_lat:
        return "%02d%08.5f" % (deg, minutes), hemi
    return "%03d%08.5f" % (deg, minutes), hemi


def main():
    lat, lon = START
    speed, heading = 0.0, PLAN[0][2]
    # Receiver error state (metres east, north).
    err_e, err_n = 1.2, -0.8
    tau = 30.0
    a = math.exp(-1.0 / tau)
    t = 0
    lines = []
    for dur, v_end, hd_end in PLAN:
        v_start, hd_start = speed, heading
        for k in range(dur):
            f = (k + 1) / dur
            v = v_start + (v_end - v_start) * f
            # Shortest way round for the heading change.
            d = ((hd_end - hd_start + 540.0) % 360.0) - 180.0
            hd = (hd_start + d * f) % 360.0
            step = 0.5 * (speed + v)  # metres in this second
            lat += step * math.cos(math.radians(hd)) / R * 180.0 / math.pi
            lon += step * math.sin(math.radians(hd)) / (R * math.cos(math.radians(lat))) * 180.0 / math.pi
            speed, heading = v, hd
            t += 1
            err_e = a * err_e + math.sqrt(1 - a * a) * 2.0 * random.gauss(0, 1)
            err_n = a * err_n + math.sqrt(1 - a * a) * 2.0 * random.gauss(0, 1)
            me = err_e + random.gauss(0, 0.5)
            mn = err_n + random.gauss(0, 0.5)
            mlat = lat + mn / R * 180.0 / math.pi
            mlon = lon + me / (R * math.cos(math.radians(lat))) * 180.0 / math.pi
            sec = T0 + t
            hh, mm, ss = sec // 3600, (sec // 60) % 60, sec % 60
            utc = "%02d%02d%02d.00" % (hh, mm, ss)
            la, lah = dm(mlat, True)
            lo, loh = dm(mlon, False)
            sats = 8 + (t // 37) % 4
            hdop = 0.8 + 0.6 * (0.5 + 0.5 * math.sin(t / 23.0))
            alt = 12.0 + 1.5 * math.sin(t / 40.0) + random.gauss(0, 0.3)
            knots = (v + random.gauss(0, 0.05)) / 0.514444 if v > 0 else 0.0
            knots = max(knots, 0.0)
            course = "%.2f" % hd if v > 0.5 else ""
            lines.append(nmea("GPRMC,%s,A,%s,%s,%s,%s,%.3f,%s,%s,,,A,V" % (
                utc, la, lah, lo, loh, knots, course, DATE)))
            lines.append(nmea("GPGGA,%s,%s,%s,%s,%s,1,%02d,%.2f,%.1f,M,45.9,M,," % (
                utc, la, lah, lo, loh, sats, hdop, alt)))
            prns = ",".join("%02d" % p for p in [2, 5, 7, 9, 13, 15, 18, 20, 24, 29, 30][:sats])
            prns += "," * (12 - sats)
            lines.append(nmea("GPGSA,A,3,%s,%.2f,%.2f,%.2f,1" % (
                prns, hdop * 1.6, hdop, hdop * 1.3)))
    sys.stdout.write("".join(l + "\r\n" for l in lines))


if __name__ == "__main__":
    main()
