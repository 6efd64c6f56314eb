#include <twindesk/sim/thermal.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace twindesk::sim {

twin::Result<ZoneThermalParams> deriveThermalParams(const ZoneEnvelope& e)
{
    auto bad = [](const std::string& what) {
        return twin::makeError(twin::ErrorCode::InvalidArgument, what);
    };
    if (!(e.floorAreaM2 > 0.0) || !std::isfinite(e.floorAreaM2))
        return bad("floor area must be a positive number of m², got " +
                   std::to_string(e.floorAreaM2));
    if (!(e.volumeM3 > 0.0) || !std::isfinite(e.volumeM3))
        return bad("volume must be a positive number of m³, got " + std::to_string(e.volumeM3));

    ZoneThermalParams p;
    p.floorAreaM2 = e.floorAreaM2;
    p.volumeM3 = e.volumeM3;
    p.at = e.internalAreaM2 > 0.0 ? e.internalAreaM2 : 4.5 * e.floorAreaM2;

    double cm = e.furnitureCapacity;
    double kappa2 = 0.0; // Σ κ²·A, for the effective mass area
    for (std::size_t i = 0; i < e.opaque.size(); ++i) {
        const auto& o = e.opaque[i];
        if (!(o.areaM2 >= 0.0) || !(o.uValue >= 0.0) || !(o.kappa >= 0.0) ||
            !(o.solarAbsorptance >= 0.0 && o.solarAbsorptance <= 1.0))
            return bad("opaque element " + std::to_string(i) +
                       ": area, U and κ must be ≥ 0 and absorptance within 0..1");
        if (o.exterior)
            p.hOp += o.uValue * o.areaM2;
        cm += o.kappa * o.areaM2;
        kappa2 += o.kappa * o.kappa * o.areaM2;
    }
    for (std::size_t i = 0; i < e.windows.size(); ++i) {
        const auto& w = e.windows[i];
        if (!(w.areaM2 >= 0.0) || !(w.uValue >= 0.0) || !(w.shgc >= 0.0 && w.shgc <= 1.0))
            return bad("window " + std::to_string(i) +
                       ": area and U must be ≥ 0 and SHGC within 0..1");
        p.htrW += w.uValue * w.areaM2;
    }
    if (!(cm > 0.0))
        return bad("the zone has no thermal mass: give opaque elements a κ (J/m²K) or a "
                   "furniture capacity");
    p.cm = cm;
    // ISO 13790 §12.3.1.2: A_m = C_m² / Σ κ_j² A_j (furniture counted as mass at the
    // average κ when no element carries κ).
    p.am = kappa2 > 0.0 ? cm * cm / kappa2 : 2.5 * e.floorAreaM2;
    if (p.am > p.at)
        p.am = p.at; // cannot exceed the total internal area
    p.htrMs = kHms * p.am;
    p.htrIs = kHis * p.at;
    // Opaque transmission splits into outside → mass (H_tr,em) and mass → star (H_tr,ms).
    if (p.hOp > 0.0) {
        const double inv = 1.0 / p.hOp - 1.0 / p.htrMs;
        p.htrEm = inv > 0.0 ? 1.0 / inv : p.hOp * 1e3; // very conductive mass layer
    }
    return p;
}

namespace {

struct Derived
{
    double htr1;
    double htr2;
    double htr3;
};

Derived derive(const ZoneThermalParams& p, double hVe)
{
    Derived d{};
    // With no air exchange H_tr,1 is 0: the air node then couples only through H_tr,is.
    d.htr1 = hVe > 0.0 ? 1.0 / (1.0 / hVe + 1.0 / p.htrIs) : 0.0;
    d.htr2 = d.htr1 + p.htrW;
    d.htr3 = d.htr2 > 0.0 ? 1.0 / (1.0 / d.htr2 + 1.0 / p.htrMs) : 0.0;
    return d;
}

} // namespace

namespace {

// Every node temperature of the 5R1C step is affine in Φ_HC (the network is linear): one
// pass computes the values at Φ_HC = 0 and their slopes, sharing all divisions. The ideal-
// loads controller then needs no second evaluation, and stepZone() is the same code.
struct Affine
{
    double mEnd0, mEnd1; // θ_m at the end of the step: mEnd0 + mEnd1·Φ_HC
    double s0, s1;       // θ_s
    double air0, air1;   // θ_air
};

Affine solveAffine(const ZoneThermalParams& p, double thetaMStart, const ZoneInputs& in, double dt)
{
    const Derived d = derive(p, in.hVe);
    const double radiant = (1.0 - in.convectiveFraction) * in.phiInt + in.phiSol;
    const double phiIa0 = in.convectiveFraction * in.phiInt; // Φ_ia = phiIa0 + Φ_HC
    const double phiM = p.am / p.at * radiant;
    const double phiSt = (1.0 - p.am / p.at - p.htrW / (kHms * p.at)) * radiant;

    // supTerm = H_tr,1·(Φ_ia/H_ve + θ_sup); with H_ve = 0 its limit is Φ_ia.
    double sup0 = phiIa0;
    double sup1 = 1.0;
    if (in.hVe > 0.0) {
        const double r = d.htr1 / in.hVe;
        sup0 = r * phiIa0 + d.htr1 * in.thetaSup;
        sup1 = r;
    }
    // H_tr,3/H_tr,2 → 1 as H_tr,2 → 0 (no windows, no air exchange).
    const double ratio32 = d.htr2 > 0.0 ? d.htr3 / d.htr2 : 1.0;
    const double outside = phiSt + p.htrW * in.thetaE;
    const double mtot0 = phiM + p.htrEm * in.thetaE + ratio32 * (outside + sup0);
    const double mtot1 = ratio32 * sup1;
    const double k = p.cm / dt;
    const double h = 0.5 * (d.htr3 + p.htrEm);
    const double inv = 1.0 / (k + h);
    Affine a{};
    a.mEnd0 = (thetaMStart * (k - h) + mtot0) * inv;
    a.mEnd1 = mtot1 * inv;
    const double m0 = 0.5 * (thetaMStart + a.mEnd0);
    const double m1 = 0.5 * a.mEnd1;
    const double invS = 1.0 / (p.htrMs + p.htrW + d.htr1);
    a.s0 = (p.htrMs * m0 + outside + sup0) * invS;
    a.s1 = (p.htrMs * m1 + sup1) * invS;
    const double invA = 1.0 / (p.htrIs + in.hVe);
    a.air0 = (p.htrIs * a.s0 + in.hVe * in.thetaSup + phiIa0) * invA;
    a.air1 = (p.htrIs * a.s1 + 1.0) * invA;
    return a;
}

ZoneStep evaluate(const Affine& a, double thetaMStart, double phiHc)
{
    ZoneStep r;
    r.thetaMEnd = a.mEnd0 + a.mEnd1 * phiHc;
    r.thetaMMean = 0.5 * (thetaMStart + r.thetaMEnd);
    r.thetaS = a.s0 + a.s1 * phiHc;
    r.thetaAir = a.air0 + a.air1 * phiHc;
    r.phiHc = phiHc;
    return r;
}

} // namespace

ZoneStep stepZone(const ZoneThermalParams& p, double thetaMStart, const ZoneInputs& in,
                  double phiHc, double dt)
{
    return evaluate(solveAffine(p, thetaMStart, in, dt), thetaMStart, phiHc);
}

ZoneStep stepZoneIdeal(const ZoneThermalParams& p, double thetaMStart, const ZoneInputs& in,
                       const IdealLoads& loads, double dt)
{
    const Affine a = solveAffine(p, thetaMStart, in, dt);
    const bool tooCold = loads.heatingAvailable && a.air0 < loads.heatingSetpoint;
    const bool tooWarm = loads.coolingAvailable && a.air0 > loads.coolingSetpoint;
    if (!tooCold && !tooWarm)
        return evaluate(a, thetaMStart, 0.0);
    // θ_air = air0 + air1·Φ_HC: the power that lands exactly on the setpoint, then capped.
    const double target = tooCold ? loads.heatingSetpoint : loads.coolingSetpoint;
    double phi = (target - a.air0) / a.air1;
    if (tooCold)
        phi = std::min(phi, loads.maxHeatingW);
    else
        phi = std::max(phi, -loads.maxCoolingW);
    return evaluate(a, thetaMStart, phi);
}

double airDensity(double pressurePa, double dryBulbC)
{
    return pressurePa / (287.05 * (dryBulbC + 273.15));
}

} // namespace twindesk::sim
