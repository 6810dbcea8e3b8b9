// cellsentry_test: a receive-only SoapySDR device that plays a recording at the radio's pace.
//
// The tests of cellsentry build this file against libSoapySDR and load it through
// SOAPY_SDR_PLUGIN_PATH, so the `soapy` backend is exercised through the real library exactly
// as with a HackRF: enumeration, settings, stream set-up, and a stream that delivers samples
// as the wall clock makes them, drops what nobody read in time and can die mid-stream.
//
// Device arguments (see README.md):
//   file=PATH         the recording (loaded into memory; required to open the device)
//   serial=TEXT       identity, for several test radios at once
//   format=cs16|cf32|cs8|cu8   its sample format (default: from the extension)
//   rate=SPS          its sample rate; without it the device plays at the rate it is set to
//   freq=HZ           the centre frequency it was recorded at; tuned elsewhere the device
//                     delivers silence. Without it every tuning plays the recording.
//   loop=1|0          replay from the start at the end (default 1); 0 = silent after the end
//   buffers=N, mtu=N  device buffer: N transfers of `mtu` samples (default 15 x 16384)
//   timestamps=1|0    hardware time on every read (default 1); 0 = none, like a HackRF
//   fail_after_s=S    S seconds after the stream first starts, every read fails
//
// SPDX-License-Identifier: MIT OR Apache-2.0

#include <SoapySDR/Device.hpp>
#include <SoapySDR/Formats.hpp>
#include <SoapySDR/Logger.hpp>
#include <SoapySDR/Modules.hpp>
#include <SoapySDR/Registry.hpp>
#include <SoapySDR/Time.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
const char *const DRIVER = "cellsentry_test";
const double MAX_RATE = 100e6;

std::string arg(const SoapySDR::Kwargs &args, const std::string &key, const std::string &fallback)
{
    const auto it = args.find(key);
    return it == args.end() ? fallback : it->second;
}

double number_arg(const SoapySDR::Kwargs &args, const std::string &key, double fallback)
{
    const auto it = args.find(key);
    if (it == args.end()) return fallback;
    try
    {
        size_t used = 0;
        const double value = std::stod(it->second, &used);
        if (used == it->second.size() && std::isfinite(value)) return value;
    }
    catch (const std::exception &)
    {
    }
    throw std::runtime_error(std::string(DRIVER) + ": " + key + "=" + it->second + " is not a number");
}

bool ends_with(const std::string &s, const std::string &tail)
{
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The recording: raw bytes in one of the four formats cellsentry reads.
struct Recording
{
    std::vector<uint8_t> bytes;
    std::string format; // SOAPY_SDR_CS16, _CF32, _CS8 or _CU8
    size_t bytes_per_sample = 0;
    long long samples = 0;
};

Recording load_recording(const SoapySDR::Kwargs &args)
{
    const std::string path = arg(args, "file", "");
    if (path.empty()) throw std::runtime_error(std::string(DRIVER) + ": needs file=<recording>");
    std::string format = arg(args, "format", "");
    if (format.empty())
    {
        if (ends_with(path, ".cs16")) format = "cs16";
        else if (ends_with(path, ".cf32") || ends_with(path, ".cfile")) format = "cf32";
        else if (ends_with(path, ".cs8")) format = "cs8";
        else if (ends_with(path, ".cu8")) format = "cu8";
        else throw std::runtime_error(std::string(DRIVER) + ": cannot tell the format of " + path + ": give format=cs16|cf32|cs8|cu8");
    }
    Recording rec;
    if (format == "cs16") rec.format = SOAPY_SDR_CS16, rec.bytes_per_sample = 4;
    else if (format == "cf32") rec.format = SOAPY_SDR_CF32, rec.bytes_per_sample = 8;
    else if (format == "cs8") rec.format = SOAPY_SDR_CS8, rec.bytes_per_sample = 2;
    else if (format == "cu8") rec.format = SOAPY_SDR_CU8, rec.bytes_per_sample = 2;
    else throw std::runtime_error(std::string(DRIVER) + ": unknown format=" + format + " (cs16, cf32, cs8 or cu8)");

    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(std::string(DRIVER) + ": cannot read " + path);
    rec.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    rec.samples = static_cast<long long>(rec.bytes.size() / rec.bytes_per_sample);
    if (rec.samples == 0) throw std::runtime_error(std::string(DRIVER) + ": " + path + " holds no whole sample");
    return rec;
}

// Full scale of each native format: what a sample is divided by to give +-1.0. The same
// conventions as cellsentry's file reader (cu8 is centred on 127.5, rtl_sdr's ADC midpoint).
double full_scale(const std::string &format)
{
    if (format == SOAPY_SDR_CS16) return 32768.0;
    if (format == SOAPY_SDR_CF32) return 1.0;
    return 128.0; // CS8, CU8
}

void to_cf32(const Recording &rec, long long index, float *out)
{
    const uint8_t *p = rec.bytes.data() + index * rec.bytes_per_sample;
    if (rec.format == SOAPY_SDR_CF32)
    {
        std::memcpy(out, p, 8);
    }
    else if (rec.format == SOAPY_SDR_CS16)
    {
        int16_t v[2];
        std::memcpy(v, p, 4);
        out[0] = float(v[0]) * (1.0f / 32768.0f);
        out[1] = float(v[1]) * (1.0f / 32768.0f);
    }
    else if (rec.format == SOAPY_SDR_CS8)
    {
        out[0] = float(int8_t(p[0])) * (1.0f / 128.0f);
        out[1] = float(int8_t(p[1])) * (1.0f / 128.0f);
    }
    else
    {
        out[0] = (float(p[0]) - 127.5f) * (1.0f / 128.0f);
        out[1] = (float(p[1]) - 127.5f) * (1.0f / 128.0f);
    }
}

// The RX stream. The "hardware" fills transfer k (samples [k*mtu, (k+1)*mtu) of the air since
// the first activation) when the wall clock reaches its end; the device keeps at most
// `buffers` filled transfers and, like SoapyHackRF, overwrites the oldest when the reader
// falls behind, then reports SOAPY_SDR_OVERFLOW once.
struct RxStream
{
    std::string format; // what readStream writes: the recording's format or CF32
    bool active = false;
    long long head = 0;   // transfer being read
    long long offset = 0; // samples of it already read
};

class TestDevice : public SoapySDR::Device
{
public:
    explicit TestDevice(const SoapySDR::Kwargs &args)
        : _rec(load_recording(args)),
          _file(arg(args, "file", "")),
          _fixed_rate(args.count("rate") != 0),
          _rate(number_arg(args, "rate", 0.0)),
          _recorded_freq(number_arg(args, "freq", 0.0)),
          _loop(arg(args, "loop", "1") != "0"),
          _buffers(static_cast<long long>(number_arg(args, "buffers", 15))),
          _mtu(static_cast<long long>(number_arg(args, "mtu", 16384))),
          _timestamps(arg(args, "timestamps", "1") != "0"),
          _fail_after_s(number_arg(args, "fail_after_s", -1.0))
    {
        if (_rate < 0.0) throw std::runtime_error(std::string(DRIVER) + ": rate must be positive");
        if (_buffers < 1 || _mtu < 1) throw std::runtime_error(std::string(DRIVER) + ": buffers and mtu must be at least 1");
        _freq = _recorded_freq;
        _bandwidth = _rate;
        if (_fixed_rate && _rate == 0.0) throw std::runtime_error(std::string(DRIVER) + ": rate must be positive");
    }

    // Identification
    std::string getDriverKey() const override { return DRIVER; }
    std::string getHardwareKey() const override { return DRIVER; }
    SoapySDR::Kwargs getHardwareInfo() const override
    {
        SoapySDR::Kwargs info;
        info["file"] = _file;
        info["format"] = _rec.format;
        info["samples"] = std::to_string(_rec.samples);
        info["loop"] = _loop ? "1" : "0";
        return info;
    }

    // Channels: one receive channel, no transmit path at all.
    size_t getNumChannels(const int direction) const override { return direction == SOAPY_SDR_RX ? 1 : 0; }
    bool getFullDuplex(const int, const size_t) const override { return false; }

    // Stream formats: the recording's own (bit-exact bytes) or CF32.
    std::vector<std::string> getStreamFormats(const int, const size_t) const override
    {
        std::vector<std::string> formats{_rec.format};
        if (_rec.format != SOAPY_SDR_CF32) formats.push_back(SOAPY_SDR_CF32);
        return formats;
    }
    std::string getNativeStreamFormat(const int, const size_t, double &fullScale) const override
    {
        fullScale = full_scale(_rec.format);
        return _rec.format;
    }

    SoapySDR::Stream *setupStream(const int direction, const std::string &format,
        const std::vector<size_t> &channels, const SoapySDR::Kwargs &) override
    {
        if (direction != SOAPY_SDR_RX) throw std::runtime_error(std::string(DRIVER) + " is receive only");
        if (channels.size() > 1 || (channels.size() == 1 && channels[0] != 0)) throw std::runtime_error(std::string(DRIVER) + ": only channel 0 exists");
        if (format != _rec.format && format != SOAPY_SDR_CF32) throw std::runtime_error(std::string(DRIVER) + ": stream format " + format + " not supported (" + _rec.format + " or CF32)");
        if (_stream_open) throw std::runtime_error(std::string(DRIVER) + ": the RX stream is already open");
        _stream_open = true;
        _rx = RxStream();
        _rx.format = format;
        return reinterpret_cast<SoapySDR::Stream *>(&_rx);
    }
    void closeStream(SoapySDR::Stream *) override { _stream_open = false; }
    size_t getStreamMTU(SoapySDR::Stream *) const override { return static_cast<size_t>(_mtu); }

    int activateStream(SoapySDR::Stream *, const int flags, const long long, const size_t) override
    {
        if (flags != 0) return SOAPY_SDR_NOT_SUPPORTED; // no timed or burst starts
        if (_rate == 0.0)
        {
            SoapySDR::logf(SOAPY_SDR_ERROR, "%s: set a sample rate before starting the stream", DRIVER);
            return SOAPY_SDR_STREAM_ERROR;
        }
        const auto now = Clock::now();
        if (!_air_started)
        {
            // The recording's first sample is "on air" when the stream first starts.
            _air_started = true;
            _air_start = now;
        }
        // Hardware starts filling at the next transfer boundary; nothing before is buffered.
        _rx.head = (ticks_at(now) + _mtu - 1) / _mtu;
        _rx.offset = 0;
        _rx.active = true;
        return 0;
    }
    int deactivateStream(SoapySDR::Stream *, const int, const long long) override
    {
        _rx.active = false;
        return 0;
    }

    int readStream(SoapySDR::Stream *, void *const *buffs, const size_t numElems, int &flags,
        long long &timeNs, const long timeoutUs) override
    {
        flags = 0;
        auto now = Clock::now();
        const auto deadline = now + std::chrono::microseconds(timeoutUs);
        if (failed(now)) return SOAPY_SDR_STREAM_ERROR;
        if (!_rx.active || silent())
        {
            std::this_thread::sleep_until(deadline);
            return SOAPY_SDR_TIMEOUT;
        }
        // Wait for the transfer being read to be filled.
        if (ticks_at(now) / _mtu <= _rx.head)
        {
            const auto filled = _air_start + std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(double((_rx.head + 1) * _mtu) / _rate));
            if (filled > deadline)
            {
                std::this_thread::sleep_until(deadline);
                return failed(Clock::now()) ? SOAPY_SDR_STREAM_ERROR : SOAPY_SDR_TIMEOUT;
            }
            std::this_thread::sleep_until(filled);
            now = Clock::now();
            if (failed(now)) return SOAPY_SDR_STREAM_ERROR;
        }
        const long long filled = ticks_at(now) / _mtu; // transfers [0, filled) are complete
        if (filled - _rx.head > _buffers)
        {
            // The reader fell behind: the oldest transfers were overwritten.
            const long long newest = filled - _buffers;
            _dropped += (newest - _rx.head) * _mtu - _rx.offset;
            _overflows += 1;
            _rx.head = newest;
            _rx.offset = 0;
            flags |= SOAPY_SDR_END_ABRUPT;
            SoapySDR::log(SOAPY_SDR_SSI, "O");
            return SOAPY_SDR_OVERFLOW;
        }

        const bool on_air = tuned_to_recording();
        size_t done = 0;
        while (done < numElems && _rx.head < filled && !silent())
        {
            const long long tick = _rx.head * _mtu + _rx.offset;
            long long n = std::min<long long>(static_cast<long long>(numElems - done), _mtu - _rx.offset);
            if (!_loop) n = std::min(n, _rec.samples - tick);
            if (done == 0 && _timestamps)
            {
                timeNs = SoapySDR::ticksToTimeNs(tick, _rate);
                flags |= SOAPY_SDR_HAS_TIME;
            }
            write_samples(buffs[0], done, tick, n, on_air);
            done += static_cast<size_t>(n);
            _rx.offset += n;
            if (_rx.offset == _mtu)
            {
                _rx.head += 1;
                _rx.offset = 0;
            }
        }
        return static_cast<int>(done);
    }

    // Antenna
    std::vector<std::string> listAntennas(const int, const size_t) const override { return {"RX"}; }
    void setAntenna(const int, const size_t, const std::string &name) override
    {
        if (name != "RX") throw std::runtime_error(std::string(DRIVER) + ": no antenna " + name + " (only RX)");
    }
    std::string getAntenna(const int, const size_t) const override { return "RX"; }

    // Gain: two stages like a HackRF's receive chain. They change no sample: the recording is
    // what it is. The base class splits a total gain over them and sums them back.
    std::vector<std::string> listGains(const int, const size_t) const override { return {"LNA", "VGA"}; }
    bool hasGainMode(const int, const size_t) const override { return false; }
    void setGain(const int dir, const size_t ch, const std::string &name, const double value) override
    {
        const SoapySDR::Range r = getGainRange(dir, ch, name);
        std::lock_guard<std::mutex> lock(_settings);
        (name == "LNA" ? _lna_db : _vga_db) = std::min(std::max(value, r.minimum()), r.maximum());
    }
    double getGain(const int, const size_t, const std::string &name) const override
    {
        getGainRange(SOAPY_SDR_RX, 0, name); // throws for an unknown element
        std::lock_guard<std::mutex> lock(_settings);
        return name == "LNA" ? _lna_db : _vga_db;
    }
    SoapySDR::Range getGainRange(const int, const size_t, const std::string &name) const override
    {
        if (name == "LNA") return SoapySDR::Range(0.0, 40.0, 8.0);
        if (name == "VGA") return SoapySDR::Range(0.0, 62.0, 2.0);
        throw std::runtime_error(std::string(DRIVER) + ": no gain element " + name);
    }
    using SoapySDR::Device::getGain;
    using SoapySDR::Device::getGainRange;
    using SoapySDR::Device::setGain;

    // Frequency: one RF component.
    void setFrequency(const int, const size_t, const double frequency, const SoapySDR::Kwargs &) override
    {
        check_freq(frequency);
        std::lock_guard<std::mutex> lock(_settings);
        _freq = frequency;
    }
    void setFrequency(const int dir, const size_t ch, const std::string &name, const double frequency, const SoapySDR::Kwargs &args) override
    {
        if (name != "RF") throw std::runtime_error(std::string(DRIVER) + ": no frequency component " + name);
        setFrequency(dir, ch, frequency, args);
    }
    double getFrequency(const int, const size_t) const override
    {
        std::lock_guard<std::mutex> lock(_settings);
        return _freq;
    }
    double getFrequency(const int dir, const size_t ch, const std::string &) const override { return getFrequency(dir, ch); }
    std::vector<std::string> listFrequencies(const int, const size_t) const override { return {"RF"}; }
    SoapySDR::RangeList getFrequencyRange(const int, const size_t) const override { return {SoapySDR::Range(1e6, 6e9)}; }
    SoapySDR::RangeList getFrequencyRange(const int, const size_t, const std::string &) const override { return {SoapySDR::Range(1e6, 6e9)}; }

    // Sample rate: with rate= the recording's and nothing else (within 0.1 %, then reported
    // exactly, as radios report the rate they really run at); without it, whatever is set.
    void setSampleRate(const int, const size_t, const double rate) override
    {
        if (!(rate > 0.0 && rate <= MAX_RATE)) throw std::runtime_error(std::string(DRIVER) + ": cannot run at " + std::to_string(rate) + " samples/s");
        if (_fixed_rate && !(std::fabs(rate - _rate) <= 1e-3 * _rate))
            throw std::runtime_error(std::string(DRIVER) + ": plays a recording at " + std::to_string(_rate) + " samples/s, cannot run at " + std::to_string(rate));
        if (_rx.active) throw std::runtime_error(std::string(DRIVER) + ": stop the stream before changing the rate");
        if (!_fixed_rate) _rate = rate;
    }
    double getSampleRate(const int, const size_t) const override { return _rate; }
    std::vector<double> listSampleRates(const int, const size_t) const override
    {
        if (_fixed_rate) return {_rate};
        return {};
    }
    SoapySDR::RangeList getSampleRateRange(const int, const size_t) const override
    {
        if (_fixed_rate) return {SoapySDR::Range(_rate, _rate)};
        return {SoapySDR::Range(1e3, MAX_RATE)};
    }

    // Bandwidth: remembered only.
    void setBandwidth(const int, const size_t, const double bw) override
    {
        std::lock_guard<std::mutex> lock(_settings);
        _bandwidth = bw;
    }
    double getBandwidth(const int, const size_t) const override
    {
        std::lock_guard<std::mutex> lock(_settings);
        return _bandwidth;
    }
    SoapySDR::RangeList getBandwidthRange(const int, const size_t) const override { return {SoapySDR::Range(0.0, MAX_RATE)}; }

    // Hardware time: sample ticks since the stream first started.
    bool hasHardwareTime(const std::string &what) const override { return _timestamps && what.empty(); }
    long long getHardwareTime(const std::string &) const override
    {
        return _air_started ? SoapySDR::ticksToTimeNs(ticks_at(Clock::now()), _rate) : 0;
    }

    // What the device lost, for tests that want the device's own count.
    std::vector<std::string> listSensors() const override { return {"dropped_samples", "overflows"}; }
    std::string readSensor(const std::string &key) const override
    {
        if (key == "dropped_samples") return std::to_string(_dropped);
        if (key == "overflows") return std::to_string(_overflows);
        throw std::runtime_error(std::string(DRIVER) + ": no sensor " + key);
    }

private:
    long long ticks_at(Clock::time_point t) const
    {
        if (!_air_started || t < _air_start) return 0;
        return static_cast<long long>(std::chrono::duration<double>(t - _air_start).count() * _rate);
    }

    bool failed(Clock::time_point now)
    {
        if (_fail_after_s < 0.0 || !_air_started) return false;
        if (std::chrono::duration<double>(now - _air_start).count() < _fail_after_s) return false;
        if (!_fail_logged)
        {
            _fail_logged = true;
            SoapySDR::logf(SOAPY_SDR_ERROR, "%s: device lost %.1f s after the stream started (fail_after_s)", DRIVER, _fail_after_s);
        }
        return true;
    }

    // Without looping the air goes quiet once the whole recording has been delivered or lost.
    bool silent() const { return !_loop && _rx.head * _mtu + _rx.offset >= _rec.samples; }

    bool tuned_to_recording() const
    {
        std::lock_guard<std::mutex> lock(_settings);
        return _recorded_freq == 0.0 || std::fabs(_freq - _recorded_freq) <= 1e3;
    }

    void check_freq(double frequency) const
    {
        if (!(frequency >= 1e6 && frequency <= 6e9)) throw std::runtime_error(std::string(DRIVER) + ": cannot tune to " + std::to_string(frequency) + " Hz (1 MHz to 6 GHz)");
    }

    // Writes n samples of the air from `tick` at element `at` of the caller's buffer.
    void write_samples(void *buff, size_t at, long long tick, long long n, bool on_air) const
    {
        const bool cf32 = _rx.format == SOAPY_SDR_CF32;
        const size_t out_bytes = cf32 ? 8 : _rec.bytes_per_sample;
        uint8_t *out = static_cast<uint8_t *>(buff) + at * out_bytes;
        for (long long i = 0; i < n; i++, out += out_bytes)
        {
            const long long index = (tick + i) % _rec.samples;
            if (!on_air)
            {
                // Tuned away from the recording: an empty band.
                if (_rx.format == SOAPY_SDR_CU8) std::memset(out, 128, out_bytes);
                else std::memset(out, 0, out_bytes);
            }
            else if (cf32)
            {
                float v[2];
                to_cf32(_rec, index, v);
                std::memcpy(out, v, 8);
            }
            else
            {
                std::memcpy(out, _rec.bytes.data() + index * _rec.bytes_per_sample, out_bytes);
            }
        }
    }

    const Recording _rec;
    const std::string _file;
    const bool _fixed_rate;
    double _rate; // 0 until set when no rate= was given
    const double _recorded_freq;
    const bool _loop;
    const long long _buffers;
    const long long _mtu;
    const bool _timestamps;
    const double _fail_after_s;

    mutable std::mutex _settings;
    double _freq = 0.0;
    double _bandwidth = 0.0;
    double _lna_db = 0.0;
    double _vga_db = 0.0;

    bool _stream_open = false;
    RxStream _rx;
    bool _air_started = false;
    Clock::time_point _air_start;
    bool _fail_logged = false;
    long long _dropped = 0;
    long long _overflows = 0;
};

// Enumeration: one device. Like hardware drivers it reports what identifies it (the file and
// the serial, when given), not every argument; SoapySDR adds the caller's other arguments when
// it makes the device, and hands out one shared device per identity (so two radios playing the
// same file at once need different serial=).
SoapySDR::KwargsList find_devices(const SoapySDR::Kwargs &args)
{
    SoapySDR::Kwargs dev;
    const std::string file = arg(args, "file", "");
    if (file.empty())
    {
        dev["label"] = "cellsentry test radio (give file=<recording>)";
    }
    else
    {
        dev["file"] = file;
        dev["label"] = "cellsentry test radio: " + file.substr(file.find_last_of('/') + 1);
    }
    if (args.count("serial") != 0) dev["serial"] = args.at("serial");
    return {dev};
}

SoapySDR::Device *make_device(const SoapySDR::Kwargs &args) { return new TestDevice(args); }

const SoapySDR::Registry registration(DRIVER, &find_devices, &make_device, SOAPY_SDR_ABI_VERSION);
const SoapySDR::ModuleVersion version("0.1.0");

} // namespace
