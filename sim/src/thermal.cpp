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

// Every node temperature of the 5R1C step is affine in Φ_HC (the network is linear): one
// pass computes the values at Φ_HC = 0 and their slopes, sharing all divisions. The ideal-
// loads controller then needs no second evaluation, and stepZone() is the same code. (Kept
// internal so the per-zone hot path inlines it; the public functions below wrap it.)
ZoneAffine solveAffine(const ZoneThermalParams& p, double thetaMStart, const ZoneInputs& in,
                       double dt)
{
    // Shared denominators, so the step costs six divisions (this is the engine's hot path):
    //   H_tr,1 = H_ve·H_is/(H_ve + H_is), and the same 1/(H_ve + H_is) is the air node's;
    //   H_tr,3 = H_tr,2·H_ms/(H_tr,2 + H_ms) and H_tr,3/H_tr,2 = H_ms/(H_tr,2 + H_ms)
    //   (→ 1 as H_tr,2 → 0, with no windows and no air exchange).
    const double hVe = in.hVe > 0.0 ? in.hVe : 0.0;
    const double invA = 1.0 / (p.htrIs + hVe);
    const double htr1 = hVe * p.htrIs * invA;
    const double htr2 = htr1 + p.htrW;
    const double inv23 = 1.0 / (htr2 + p.htrMs);
    const double htr3 = htr2 * p.htrMs * inv23;
    const double ratio32 = p.htrMs * inv23;
    const double invAt = 1.0 / p.at;

    const double radiant = (1.0 - in.convectiveFraction) * in.phiInt + in.phiSol;
    const double phiIa0 = in.convectiveFraction * in.phiInt; // Φ_ia = phiIa0 + Φ_HC
    const double fracM = p.am * invAt;
    const double phiM = fracM * radiant;
    const double phiSt = (1.0 - fracM - p.htrW * invAt * (1.0 / kHms)) * radiant;

    // supTerm = H_tr,1·(Φ_ia/H_ve + θ_sup) = r·Φ_ia + H_tr,1·θ_sup with r = H_is/(H_ve + H_is),
    // which is also its limit Φ_ia when H_ve = 0.
    const double r = p.htrIs * invA;
    const double sup0 = r * phiIa0 + htr1 * in.thetaSup;
    const double sup1 = r;
    const double outside = phiSt + p.htrW * in.thetaE;
    const double mtot0 = phiM + p.htrEm * in.thetaE + ratio32 * (outside + sup0);
    const double mtot1 = ratio32 * sup1;
    const double k = p.cm / dt;
    const double h = 0.5 * (htr3 + p.htrEm);
    const double inv = 1.0 / (k + h);
    ZoneAffine a{};
    a.mEnd0 = (thetaMStart * (k - h) + mtot0) * inv;
    a.mEnd1 = mtot1 * inv;
    const double m0 = 0.5 * (thetaMStart + a.mEnd0);
    const double m1 = 0.5 * a.mEnd1;
    const double invS = 1.0 / (p.htrMs + p.htrW + htr1);
    a.s0 = (p.htrMs * m0 + outside + sup0) * invS;
    a.s1 = (p.htrMs * m1 + sup1) * invS;
    a.air0 = (p.htrIs * a.s0 + hVe * in.thetaSup + phiIa0) * invA;
    a.air1 = (p.htrIs * a.s1 + 1.0) * invA;
    return a;
}

ZoneStep evaluate(const ZoneAffine& a, double thetaMStart, double phiHc)
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

ZoneAffine solveZoneAffine(const ZoneThermalParams& p, double thetaMStart, const ZoneInputs& in,
                           double dt)
{
    return solveAffine(p, thetaMStart, in, dt);
}

ZoneStep evaluateZone(const ZoneAffine& a, double thetaMStart, double phiHc)
{
    return evaluate(a, thetaMStart, phiHc);
}

ZoneStep stepZone(const ZoneThermalParams& p, double thetaMStart, const ZoneInputs& in,
                  double phiHc, double dt)
{
    return evaluate(solveAffine(p, thetaMStart, in, dt), thetaMStart, phiHc);
}

ZoneStep stepZoneIdeal(const ZoneThermalParams& p, double thetaMStart, const ZoneInputs& in,
                       const IdealLoads& loads, double dt)
{
    const ZoneAffine a = solveAffine(p, thetaMStart, in, dt);
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
