// The 5R1C zone model: analytic step response, per-step energy balance, ideal loads.
#include "test_registry.h"

#include <twindesk/sim/thermal.h>

#include <cmath>

using namespace twindesk::sim;

namespace {

ZoneEnvelope massOnlyZone()
{
    // One exterior opaque element with mass; no windows, no air exchange, no gains: the mass
    // node sees the outside only through H_tr,em, so θ_m is a single-capacitance system.
    ZoneEnvelope e;
    e.floorAreaM2 = 50.0;
    e.volumeM3 = 150.0;
    OpaqueElement wall;
    wall.areaM2 = 100.0;
    wall.uValue = 0.5;
    wall.kappa = 100e3;
    e.opaque.push_back(wall);
    return e;
}

ZoneEnvelope officeZone()
{
    ZoneEnvelope e;
    e.floorAreaM2 = 30.0;
    e.volumeM3 = 90.0;
    OpaqueElement wall{20.0, 0.35, 0.6, 0.9, 60e3, 90.0, 180.0, true, true};
    OpaqueElement floor{30.0, 0.0, 0.0, 0.9, 80e3, 180.0, 0.0, false, false};
    OpaqueElement ceiling{30.0, 0.0, 0.0, 0.9, 10e3, 0.0, 0.0, false, false};
    e.opaque = {wall, floor, ceiling};
    e.windows.push_back(WindowElement{8.0, 1.4, 0.4, 90.0, 180.0, 1.0});
    e.furnitureCapacity = 300e3;
    return e;
}

} // namespace

class TestThermal : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void deriveRejectsBadEnvelopes()
    {
        ZoneEnvelope e = officeZone();
        e.floorAreaM2 = 0;
        QVERIFY(!deriveThermalParams(e).ok());
        e = officeZone();
        e.windows[0].shgc = 1.5;
        QVERIFY(!deriveThermalParams(e).ok());
        e = officeZone();
        e.opaque.clear();
        e.furnitureCapacity = 0;
        auto r = deriveThermalParams(e);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("thermal mass") != std::string::npos);
    }

    void isoDerivedValues()
    {
        auto p = deriveThermalParams(massOnlyZone());
        QVERIFY(p.ok());
        QCOMPARE(p->cm, 100.0 * 100e3);
        QCOMPARE(p->am, 100.0); // C_m² / Σκ²A with one element = its area
        QCOMPARE(p->htrMs, kHms * 100.0);
        QCOMPARE(p->at, 4.5 * 50.0);
        QVERIFY(std::abs(1.0 / p->htrEm - (1.0 / 50.0 - 1.0 / p->htrMs)) < 1e-12);
    }

    void singleCapacitanceStepResponse()
    {
        auto p = deriveThermalParams(massOnlyZone());
        QVERIFY(p.ok());
        const double tau = p->cm / p->htrEm; // s
        const double dt = 60.0;
        ZoneInputs in;
        in.thetaE = 0.0;
        double thetaM = 20.0;
        double worst = 0.0;
        for (int k = 1; k <= 24 * 60 * 5; ++k) { // five days
            thetaM = stepZone(*p, thetaM, in, 0.0, dt).thetaMEnd;
            const double exact = 20.0 * std::exp(-k * dt / tau);
            worst = std::max(worst, std::abs(thetaM - exact));
        }
        // Crank–Nicolson: O(Δt²) — far below a millikelvin at one minute.
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
        QVERIFY(thetaM < 20.0 * std::exp(-1.0)); // five days is many time constants? at least one
    }

    void energyBalanceClosesEveryStep()
    {
        auto p = deriveThermalParams(officeZone());
        QVERIFY(p.ok());
        double thetaM = 18.0;
        for (int k = 0; k < 500; ++k) {
            ZoneInputs in;
            in.thetaE = -5.0 + 10.0 * std::sin(k * 0.01);
            in.thetaSup = in.thetaE;
            in.hVe = 1.2 * 1005 * 0.05 + (k % 7) * 3.0;
            in.phiInt = 300.0 + (k % 13) * 20.0;
            in.convectiveFraction = 0.4;
            in.phiSol = (k % 50) * 15.0;
            const double phiHc = (k % 3) * 400.0 - 300.0;
            const auto r = stepZone(*p, thetaM, in, phiHc, 60.0);
            const double radiant = (1 - in.convectiveFraction) * in.phiInt + in.phiSol;
            const double phiIa = in.convectiveFraction * in.phiInt + phiHc;
            const double phiM = p->am / p->at * radiant;
            const double phiSt = (1 - p->am / p->at - p->htrW / (kHms * p->at)) * radiant;
            // Air node (no capacity): gains + ventilation + exchange with the star node = 0.
            const double air =
                phiIa + in.hVe * (in.thetaSup - r.thetaAir) + p->htrIs * (r.thetaS - r.thetaAir);
            QVERIFY2(std::abs(air) < 1e-6, qPrintable(QString::number(air)));
            // Star node: radiant share + exchange with air, outside (windows) and mass = 0.
            const double star = phiSt + p->htrIs * (r.thetaAir - r.thetaS) +
                                p->htrW * (in.thetaE - r.thetaS) +
                                p->htrMs * (r.thetaMMean - r.thetaS);
            QVERIFY2(std::abs(star) < 1e-6, qPrintable(QString::number(star)));
            // Mass node: stored energy = inflows over the step (trapezoidal mean temperature).
            const double stored = p->cm * (r.thetaMEnd - thetaM);
            const double inflow = (phiM + p->htrEm * (in.thetaE - r.thetaMMean) +
                                   p->htrMs * (r.thetaS - r.thetaMMean)) *
                                  60.0;
            QVERIFY2(std::abs(stored - inflow) < 1e-6 * std::max(1.0, std::abs(stored)),
                     qPrintable(QString("%1 vs %2").arg(stored).arg(inflow)));
            thetaM = r.thetaMEnd;
        }
    }

    void idealLoadsHoldTheSetpoint()
    {
        auto p = deriveThermalParams(officeZone());
        QVERIFY(p.ok());
        ZoneInputs in;
        in.thetaE = -10.0;
        in.thetaSup = -10.0;
        in.hVe = 20.0;
        IdealLoads loads;
        loads.heatingSetpoint = 21.0;
        loads.coolingSetpoint = 24.0;
        const auto r = stepZoneIdeal(*p, 15.0, in, loads, 60.0);
        QVERIFY(std::abs(r.thetaAir - 21.0) < 1e-9);
        QVERIFY(r.phiHc > 0.0);
        // Limited capacity: delivers the maximum and stays below the setpoint.
        loads.maxHeatingW = 100.0;
        const auto limited = stepZoneIdeal(*p, 15.0, in, loads, 60.0);
        QCOMPARE(limited.phiHc, 100.0);
        QVERIFY(limited.thetaAir < 21.0);
        // Cooling with a hot outside and solar gains.
        in.thetaE = 35.0;
        in.thetaSup = 35.0;
        in.phiSol = 2000.0;
        const auto cool = stepZoneIdeal(*p, 26.0, in, IdealLoads{21.0, 24.0}, 60.0);
        QVERIFY(std::abs(cool.thetaAir - 24.0) < 1e-9);
        QVERIFY(cool.phiHc < 0.0);
        // Inside the band: nothing.
        in.thetaE = 22.0;
        in.thetaSup = 22.0;
        in.phiSol = 0.0;
        const auto idle = stepZoneIdeal(*p, 22.0, in, IdealLoads{21.0, 24.0}, 60.0);
        QCOMPARE(idle.phiHc, 0.0);
    }

    void noAirExchangeIsFinite()
    {
        ZoneEnvelope e = massOnlyZone();
        auto p = deriveThermalParams(e);
        ZoneInputs in;
        in.phiInt = 500.0;
        const auto r = stepZone(*p, 20.0, in, 100.0, 60.0);
        QVERIFY(std::isfinite(r.thetaAir) && std::isfinite(r.thetaS) && std::isfinite(r.thetaMEnd));
        QVERIFY(r.thetaAir > r.thetaS); // convective gain warms the air above the star node
    }

    void airDensityAtAltitude()
    {
        QVERIFY(std::abs(airDensity(101325, 15) - 1.225) < 0.002);
        QVERIFY(airDensity(83000, 10) < 1.03); // Denver
    }
};

TWINDESK_TEST(TestThermal)
#include "tst_thermal.moc"
