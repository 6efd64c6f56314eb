#include <twindesk/sim/hvac.h>

#include <algorithm>

namespace twindesk::sim {

namespace {

// Below this outdoor temperature an air-cooled chiller's head-pressure control holds the
// condensing temperature up, so its COP stops rising.
constexpr double kChillerMinCondenserOutdoorC = 10.0;

} // namespace

double fanPowerFraction(FanCurve curve, double partLoadRatio)
{
    const double plr = std::clamp(partLoadRatio, 0.0, 1.0);
    switch (curve) {
    case FanCurve::AshraeAppendixG:
        // ASHRAE 90.1-2019 Table G3.1.3.15, VAV fan part-load performance (method 2).
        return 0.0013 + plr * (0.1470 + plr * (0.9506 - 0.0998 * plr));
    case FanCurve::Cubic:
        return plr * plr * plr;
    }
    return 1.0;
}

double chillerCop(const HvacParams& params, double outdoorC)
{
    const double t = std::max(outdoorC, kChillerMinCondenserOutdoorC);
    const double factor = 1.0 + params.chillerCopSlopePerK * (params.chillerRatingOutdoorC - t);
    // A steep slope above the rating condition must not drive the COP to zero or below.
    return params.chillerCop * std::max(factor, 0.25);
}

VavBoxStep controlVavBox(const ZoneAffine& zone, const VavBoxInputs& in)
{
    const double a0 = zone.air0;
    const double a1 = zone.air1;
    const double hMin = in.rhoC * in.minFlowM3s;
    const double ts = in.supplyC;
    // Zone air with box conductance h (W/K) at discharge td and radiator heat rad:
    // θ = a0 + a1·Φ, Φ = h·(td − θ) + rad  ⇒  θ = (a0 + a1·(h·td + rad)) / (1 + a1·h).
    auto phiOf = [&](double h, double td, double rad) {
        return (h * (td - a0) + rad) / (1.0 + a1 * h);
    };
    auto result = [&](double h, double td, double reheat, double rad) {
        VavBoxStep r;
        r.flowM3s = in.rhoC > 0.0 ? h / in.rhoC : 0.0;
        r.dischargeC = td;
        r.reheatW = reheat;
        r.radiatorW = rad;
        r.phiHc = phiOf(h, td, rad);
        return r;
    };

    const double thetaMin = (a0 + a1 * hMin * ts) / (1.0 + a1 * hMin);
    if (in.cooling && thetaMin > in.coolingSetpoint) {
        // More supply air until the cooling setpoint holds: a0 + a1·h·T_s = T_c·(1 + a1·h).
        double h = hMin;
        if (in.coolingSetpoint > ts)
            h = std::clamp((a0 - in.coolingSetpoint) / (a1 * (in.coolingSetpoint - ts)), hMin,
                           std::max(hMin, in.rhoC * in.maxFlowM3s));
        return result(h, ts, 0.0, 0.0);
    }
    if (in.heating && thetaMin < in.heatingSetpoint) {
        const double th = in.heatingSetpoint;
        if (in.reheat) {
            // Stage 1: minimum flow, discharge temperature up to its limit.
            if (hMin > 0.0) {
                const double td = th + (th - a0) / (a1 * hMin);
                if (td <= in.reheatMaxC)
                    return result(hMin, td, hMin * (td - ts), 0.0);
            }
            // Stage 2 (dual maximum): discharge at its limit, flow up to the heating maximum.
            const double td = std::max(in.reheatMaxC, ts);
            double h = hMin;
            if (td > th)
                h = std::clamp((th - a0) / (a1 * (td - th)), hMin,
                               std::max(hMin, in.rhoC * in.heatingMaxFlowM3s));
            return result(h, td, h * (td - ts), 0.0);
        }
        if (in.radiatorMaxW > 0.0) {
            // Radiator heat on top of the minimum airflow: θ = T_h solved for rad.
            const double rad = std::clamp((th * (1.0 + a1 * hMin) - a0 - a1 * hMin * ts) / a1, 0.0,
                                          in.radiatorMaxW);
            return result(hMin, ts, 0.0, rad);
        }
    }
    return result(hMin, ts, 0.0, 0.0);
}

AirHandlerStep stepAirHandler(const AirHandlerInputs& in)
{
    AirHandlerStep r;
    if (!(in.flowM3s > 0.0)) {
        r.mixedC = in.returnC;
        r.coilEnteringC = in.returnC;
        return r;
    }
    const double plr = in.designFlowM3s > 0.0 ? in.flowM3s / in.designFlowM3s : 1.0;
    r.fanW = in.designFanW * fanPowerFraction(in.fanCurve, plr);
    const double capacity = in.rhoC * in.flowM3s; // W/K
    const double fanRise = r.fanW / capacity;

    double f = std::clamp(in.minOutdoorFraction, 0.0, 1.0);
    if (in.economizer && in.outdoorC < in.returnC && in.outdoorC >= in.economizerLowLimitC) {
        // Mix towards the temperature that leaves the coil idle after the fan's heat.
        const double target = in.supplyC - fanRise;
        const double fe = std::clamp((in.returnC - target) / (in.returnC - in.outdoorC), 0.0, 1.0);
        if (fe > f) {
            f = fe;
            r.economizing = true;
        }
    }
    r.outdoorFraction = f;
    r.mixedC = f * in.outdoorC + (1.0 - f) * in.returnC;
    r.coilEnteringC = r.mixedC + fanRise;
    const double coil = capacity * (r.coilEnteringC - in.supplyC);
    if (coil > 0.0)
        r.coolingCoilW = coil;
    else
        r.preheatW = -coil;
    return r;
}

std::string_view ahuModeName(AhuMode mode)
{
    switch (mode) {
    case AhuMode::Off:
        return "off";
    case AhuMode::Occupied:
        return "occupied";
    case AhuMode::NightHeating:
        return "night_heating";
    case AhuMode::NightCooling:
        return "night_cooling";
    }
    return "unknown";
}

} // namespace twindesk::sim
