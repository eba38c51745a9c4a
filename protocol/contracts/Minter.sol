// SPDX-License-Identifier: LGPL-2.1-or-later
pragma solidity ^0.8.20;

import "./Manager.sol";

// Holds the protocol's funds: bonded LPT and the ETH of broadcaster deposits, reserves and
// unwithdrawn fees. Simpler economics than Livepeer's inflation schedule: a fixed number of LPT
// becomes mintable each round, shared by the active transcoders in proportion to their stake.
contract Minter is Manager {
    uint256 public rewardPerRound;
    uint256 public currentMintableTokens;
    uint256 public currentMintedTokens;

    event SetCurrentRewardTokens(uint256 currentMintableTokens, uint256 currentInflation);

    constructor(address _controller, uint256 _rewardPerRound) Manager(_controller) {
        rewardPerRound = _rewardPerRound;
    }

    modifier onlyBondingManager() {
        require(msg.sender == _peer(ID_BONDING_MANAGER), "caller must be BondingManager");
        _;
    }

    function setRewardPerRound(uint256 _rewardPerRound) external onlyControllerOwner {
        rewardPerRound = _rewardPerRound;
        emit ParameterUpdate("rewardPerRound");
    }

    // _fracNum / _fracDenom of this round's mintable LPT, never more than what is left of it.
    function createReward(uint256 _fracNum, uint256 _fracDenom)
        external
        onlyBondingManager
        whenSystemNotPaused
        returns (uint256)
    {
        if (_fracDenom == 0) {
            return 0;
        }
        uint256 amount = (currentMintableTokens * _fracNum) / _fracDenom;
        uint256 left = currentMintableTokens - currentMintedTokens;
        if (amount > left) {
            amount = left;
        }
        currentMintedTokens += amount;
        if (amount > 0) {
            _token().mint(address(this), amount);
        }
        return amount;
    }

    function trustedTransferTokens(address _to, uint256 _amount) external onlyBondingManager whenSystemNotPaused {
        require(_token().transfer(_to, _amount), "token transfer failed");
    }

    function trustedBurnTokens(uint256 _amount) external onlyBondingManager whenSystemNotPaused {
        _token().burn(_amount);
    }

    function trustedWithdrawETH(address payable _to, uint256 _amount) external whenSystemNotPaused {
        require(
            msg.sender == _peer(ID_BONDING_MANAGER) || msg.sender == _peer(ID_TICKET_BROKER),
            "caller must be BondingManager or TicketBroker"
        );
        (bool ok, ) = _to.call{value: _amount}("");
        require(ok, "ETH transfer failed");
    }

    function depositETH() external payable returns (bool) {
        require(msg.sender == _peer(ID_TICKET_BROKER), "caller must be TicketBroker");
        return true;
    }

    function setCurrentRewardTokens() external whenSystemNotPaused {
        require(msg.sender == _peer(ID_ROUNDS_MANAGER), "caller must be RoundsManager");
        currentMintableTokens = rewardPerRound;
        currentMintedTokens = 0;
        emit SetCurrentRewardTokens(currentMintableTokens, 0);
    }
}
