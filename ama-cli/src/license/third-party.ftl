<#-- THIRD-PARTY.txt of the CLI distribution, rendered by license-maven-plugin's add-third-party:
     one block per jar in lib/ that AMA did not write, with the licence names and URLs its POM
     declares. dependencyMap: entries of (MavenProject, licence names). -->
Third-party software in this distribution
=========================================

AMA itself is under the Apache License 2.0: see LICENSE. Every jar in lib/ but ama-cli's own
(${dependencyMap?size} of them, AMA's other modules among them) is listed below:
groupId:artifactId:version, the project's name and URL, and each licence its POM declares, with
the licence's URL.

The licence and notice files a third-party jar carries itself (META-INF/LICENSE*,
META-INF/NOTICE*: the Apache License 2.0 requires a NOTICE to be passed on) are copied unchanged
to licenses/<artifactId>-<version>-jar/META-INF/ beside this file.

<#list dependencyMap as e>
<#assign p = e.getKey()/>
<#assign names = e.getValue()/>
${p.groupId}:${p.artifactId}:${p.version}
  ${p.name!p.artifactId} - ${p.url!"no URL in its POM"}
<#list names as name>
<#-- A POM may name its licence without a URL (the npm WebJars of Cytoscape.js do): MIT's is then its SPDX text. -->
  License: ${name}<#list p.licenses as l><#if l.name == name && l.url??> - ${l.url}<#elseif l.name == name && name == "MIT"> - https://spdx.org/licenses/MIT#licenseText</#if></#list>
</#list>

</#list>
