#pragma once
// A generated office building for the benchmarks, as Brick Turtle: `rooms` offices on 10
// floors (fewer when there are few rooms), each with air temperature, heating/cooling
// setpoints, occupancy, CO2 and a dimmable luminaire. Imported through the same Brick path
// as any model.
#include <filesystem>
#include <fstream>
#include <string>

namespace twindesk::bench {

/// Writes an office building of `rooms` offices on 10 floors (fewer when there are few rooms).
inline void writeBuilding(const std::filesystem::path& file, int rooms)
{
    std::ofstream out(file);
    out << "@prefix brick: <https://brickschema.org/schema/Brick#> .\n"
           "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
           "@prefix unit: <http://qudt.org/vocab/unit/> .\n"
           "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
           "@prefix td: <https://twindesk.dev/schema#> .\n"
           "@prefix b: <urn:twindesk:bench:offices#> .\n\n"
           "b:site a brick:Site ; brick:hasPart b:building .\n";
    const int floors = rooms >= 10 ? 10 : 1;
    out << "b:building a brick:Building ; rdfs:label \"Bench offices\" ; brick:hasPart";
    for (int f = 0; f < floors; ++f)
        out << (f > 0 ? "," : "") << " b:floor_" << f;
    out << " .\n";
    for (int r = 0; r < rooms; ++r) {
        const int f = r % floors;
        const std::string id = "b:room_" + std::to_string(r);
        out << "b:floor_" << f << " a brick:Floor ; brick:hasPart " << id << " .\n"
            << id << " a brick:Office ; rdfs:label \"Office " << r << "\" ;\n"
            << "    brick:area [ brick:value \"20.0\"^^xsd:decimal ; brick:hasUnit unit:M2 ] ;\n"
            << "    brick:volume [ brick:value \"60.0\"^^xsd:decimal ; brick:hasUnit unit:M3 ] ;\n"
            << "    td:usage \"office\" ; td:maxOccupancy \"3\"^^xsd:integer ;\n"
            << "    brick:hasPoint " << id << "_zat, " << id << "_zhsp, " << id << "_zcsp, "
            << id << "_occ, " << id << "_co2 .\n"
            << id << "_zat a brick:Zone_Air_Temperature_Sensor ; brick:hasUnit unit:DEG_C .\n"
            << id << "_zhsp a brick:Zone_Air_Heating_Temperature_Setpoint ; "
            << "brick:hasUnit unit:DEG_C .\n"
            << id << "_zcsp a brick:Zone_Air_Cooling_Temperature_Setpoint ; "
            << "brick:hasUnit unit:DEG_C .\n"
            << id << "_occ a brick:Occupancy_Sensor .\n"
            << id << "_co2 a brick:CO2_Sensor ; brick:hasUnit unit:PPM .\n"
            << "b:light_" << r << " a brick:Luminaire ; brick:hasLocation " << id
            << " ; td:ratedPowerKw \"0.2\"^^xsd:decimal ; brick:hasPoint b:light_" << r
            << "_level .\n"
            << "b:light_" << r << "_level a brick:Light_Command ; brick:hasUnit unit:PERCENT .\n";
    }
}

} // namespace twindesk::bench
